/** The pose adapter: a character's head pose from PoseGPT and a seen pose style (docs/adapters.md). */
package dev.parley.pose;
