/**
 * The FLAME-structured head: {@link dev.parley.head.HeadSpec} reads the machine-readable spec that
 * names the 50 expression components, the 5 joints, the motion vector layout and the vertex regions
 * of a head model; {@link dev.parley.head.HeadShape} gives a loaded head an identity (shape weights
 * {@code beta}); {@link dev.parley.head.HeadLook} its default material. The spec is written by {@code python3 -m parley
 * head} beside the head's glTF file.
 */
package dev.parley.head;
