package dev.parley.testing;

import com.jme3.scene.Geometry;
import com.jme3.scene.Mesh;
import com.jme3.scene.VertexBuffer;
import com.jme3.scene.mesh.MorphTarget;
import com.jme3.util.BufferUtils;
import java.nio.FloatBuffer;

/**
 * A tiny mesh with named morph targets, for binding tests of characters that are not FLAME-structured: a
 * strip of {@value #VERTICES} vertices where target {@code t} moves every vertex by {@code (0, -(t + 1), 0)} cm.
 */
public final class MorphStrip {

    /** Vertices in the strip. */
    public static final int VERTICES = 6;

    private MorphStrip() {
    }

    /**
     * @param targets the morph target names, in order (not null)
     * @return a new geometry named {@code Face} (not null)
     */
    public static Geometry create(String... targets) {
        Mesh mesh = new Mesh();
        float[] base = new float[3 * VERTICES];
        for (int v = 0; v < VERTICES; v++) {
            base[3 * v] = 0.01f * v;
            base[3 * v + 1] = 0.01f * (v % 2);
        }
        mesh.setBuffer(VertexBuffer.Type.Position, 3, base);
        mesh.setBuffer(VertexBuffer.Type.Normal, 3, new float[3 * VERTICES]);
        short[] index = new short[3 * (VERTICES - 2)];
        for (int t = 0; t < VERTICES - 2; t++) {
            index[3 * t] = (short) t;
            index[3 * t + 1] = (short) (t + 1);
            index[3 * t + 2] = (short) (t + 2);
        }
        mesh.setBuffer(VertexBuffer.Type.Index, 3, index);
        for (int t = 0; t < targets.length; t++) {
            float[] d = new float[3 * VERTICES];
            for (int v = 0; v < VERTICES; v++) {
                d[3 * v + 1] = -0.01f * (t + 1);
            }
            MorphTarget mt = new MorphTarget(targets[t]);
            mt.setBuffer(VertexBuffer.Type.Position, BufferUtils.createFloatBuffer(d));
            mt.setBuffer(VertexBuffer.Type.Normal, BufferUtils.createFloatBuffer(new float[3 * VERTICES]));
            mesh.addMorphTarget(mt);
        }
        mesh.updateBound();
        return new Geometry("Face", mesh);
    }

    /**
     * @param g a geometry (not null)
     * @param vertex a vertex index
     * @return the vertex's current y (after CPU morphing)
     */
    public static float y(Geometry g, int vertex) {
        FloatBuffer fb = (FloatBuffer) g.getMesh().getBuffer(VertexBuffer.Type.Position).getData();
        return fb.get(3 * vertex + 1);
    }
}
