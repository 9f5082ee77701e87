/** Small helpers shared by every Parley package: argument validation, JSON fields, mesh buffers. */
package dev.parley.util;
