/**
 * Model packs: the manifest ({@link dev.parley.pack.PackManifest}) and the ONNX Runtime sessions of a
 * pack's audio encoder, denoiser and style encoder. The format is specified in docs/model-pack.md.
 */
package dev.parley.pack;
