/**
 * The Parley demo game. {@link dev.parley.demo.ParleyDemo} only assembles app states; each feature
 * (the studio scene, the rig sweep) is a {@code BaseAppState} that can be attached or detached.
 */
package dev.parley.demo;
