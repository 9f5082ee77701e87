package dev.parley.rig;

/**
 * Applies signed expression weights to one mesh's morph targets. Implementations apply every weight
 * exactly: the deformed position is {@code base + sum(w[i] * delta[i])} for all i, negative and tiny
 * weights included. Called on the render thread only.
 */
public interface MorphDeformer {

    /**
     * Deforms the mesh for the given weights.
     *
     * @param weights one signed weight per expression component (not null, length = component count, unaffected)
     */
    void apply(float[] weights);

    /** Restores the undeformed mesh and releases anything the deformer added to it. */
    void detach();
}
