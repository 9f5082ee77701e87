/** Small helpers shared by every Parley package: argument validation, JSON fields, mesh buffers, frame grabs. */
package dev.parley.util;
