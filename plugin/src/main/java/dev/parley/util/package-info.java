/** Small helpers shared by every Parley package: argument validation. */
package dev.parley.util;
