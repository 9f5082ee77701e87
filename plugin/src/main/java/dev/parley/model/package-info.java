/**
 * The model's contract: {@link dev.parley.model.ModelDims}, the sizes that a pack's manifest declares,
 * its graphs take and every step of the data flow (features, sampler, generation, service) reads.
 * Declared once here; the ONNX wrappers in {@link dev.parley.pack} declare their tensor names and
 * shapes from it.
 */
package dev.parley.model;
