package dev.parley.util;

import com.jme3.scene.Geometry;
import com.jme3.scene.Mesh;
import com.jme3.scene.VertexBuffer;

/** Mesh buffer helpers shared by the classes that rewrite a loaded model's vertices. */
public final class MeshBuffers {

    private static final VertexBuffer.Type[] POSITIONS_AND_NORMALS = {VertexBuffer.Type.Position,
        VertexBuffer.Type.Normal, VertexBuffer.Type.BindPosePosition, VertexBuffer.Type.BindPoseNormal};

    private MeshBuffers() {
    }

    /**
     * Gives a geometry a shallow copy of its mesh whose position and normal buffers (plain and
     * bind-pose) are its own. Clones of a loaded model (every {@code loadModel} after the first)
     * share those buffers, and rewriting them for one character must never change another.
     *
     * @param geometry the geometry (not null; its mesh is replaced)
     * @return the geometry's new mesh (not null; other buffers and morph targets still shared)
     */
    public static Mesh ownPositionsAndNormals(Geometry geometry) {
        Validate.nonNull(geometry, "geometry");
        Mesh own = geometry.getMesh().clone();
        for (VertexBuffer.Type type : POSITIONS_AND_NORMALS) {
            VertexBuffer vb = own.getBuffer(type);
            if (vb != null) {
                VertexBuffer copy = vb.clone();
                own.clearBuffer(type);
                own.setBuffer(copy);
            }
        }
        geometry.setMesh(own);
        return own;
    }
}
