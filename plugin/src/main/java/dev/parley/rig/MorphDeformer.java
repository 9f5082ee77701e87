package dev.parley.rig;

import com.jme3.scene.Geometry;

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

    /** @return the geometry this deformer drives (not null) */
    Geometry getGeometry();

    /**
     * Makes a deformer for a clone of this deformer's geometry (jME's {@code Spatial.clone} shares
     * meshes and, by default, materials), giving the clone its own buffers or material so that each
     * face moves alone. Read-only morph data is shared.
     *
     * @param clone a clone of {@link #getGeometry()} (not null; its mesh or material is replaced)
     * @return a new deformer driving the clone (not null)
     */
    MorphDeformer cloneFor(Geometry clone);
}
