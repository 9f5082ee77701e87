/**
 * Parley's command-line tools for modders ({@link dev.parley.tools.ParleyTool}, run by
 * {@code scripts/parley-tool.sh}): reference motion to styles ({@link dev.parley.tools.MotionClip},
 * {@link dev.parley.tools.StyleExtraction}), the preset library's selection from held-out corpus
 * speakers ({@link dev.parley.tools.PresetSelection}), preview strips, and baking lines to jME
 * animation clips offline with the runtime's own inference ({@link dev.parley.tools.LineBaker}), and
 * fitting an expression adapter to a performer's take, the front end of the Python job that computes the
 * gradients ONNX Runtime cannot ({@code Adapt}, {@code PythonJob}).
 */
package dev.parley.tools;
