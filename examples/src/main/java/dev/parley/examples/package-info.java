/**
 * Parley's examples, in the style of jME's {@code jme3test}: each class is one runnable
 * {@link com.jme3.app.SimpleApplication} showing one idea, run from the repository root with
 * {@code scripts/example.sh NAME} (assets/ on the classpath, the pack in {@code models/packs/}).
 * <ul>
 *   <li>{@link dev.parley.examples.HelloTalkingHead}: the README's getting-started, whole;</li>
 *   <li>{@link dev.parley.examples.HelloStreamedSpeech}: PCM fed in chunks as a text-to-speech engine makes it;</li>
 *   <li>{@link dev.parley.examples.HelloBakedClip}: a line baked ahead of time, played by an AnimComposer;</li>
 *   <li>{@link dev.parley.examples.HelloManyCharacters}: three faces and styles talking at once.</li>
 * </ul>
 */
package dev.parley.examples;
