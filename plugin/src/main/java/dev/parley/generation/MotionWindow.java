package dev.parley.generation;

/**
 * A finished window of a line's motion, de-normalised and ready for a {@link dev.parley.motion.MotionTrack}.
 * Made by the inference worker and handed to the render thread whole; after the hand-off it belongs to
 * the render thread and the worker never touches it again.
 *
 * @param startFrame the line frame of the first frame (25 fps from the start of the line)
 * @param frames the number of frames
 * @param motion de-normalised motion vectors, frame-major [frames * dim] (owned by the receiver)
 * @param steps the sampling steps the window was made with
 */
public record MotionWindow(long startFrame, int frames, float[] motion, int steps) {
}
