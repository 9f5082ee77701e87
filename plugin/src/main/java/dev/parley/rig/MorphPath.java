package dev.parley.rig;

/** Where a {@link FaceRig} applies expression morphs. */
public enum MorphPath {
    /** In the vertex shader ({@link GpuMorphDeformer}); needs {@code Parley/MatDefs/Face/Face.j3md}. */
    GPU,
    /** On the CPU ({@link CpuMorphDeformer}); works with any material. */
    CPU,
    /** GPU for geometries whose material supports it, CPU for the rest. */
    AUTO
}
