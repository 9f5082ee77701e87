package dev.parley.testing;

import com.jme3.anim.Armature;
import com.jme3.anim.Joint;
import com.jme3.anim.SkinningControl;
import com.jme3.math.Vector3f;
import com.jme3.scene.Geometry;
import com.jme3.scene.Mesh;
import com.jme3.scene.Node;
import com.jme3.scene.VertexBuffer;
import com.jme3.scene.mesh.MorphTarget;
import com.jme3.util.BufferUtils;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A small FLAME-structured model built in code: one mesh with named, sparse morph targets and a
 * 5-joint armature (root, neck, jaw, eye_L, eye_R). Lets rig tests control every number.
 */
public final class SyntheticHead {

    /** Joint names in FLAME order. */
    public static final String[] JOINTS = {"root", "neck", "jaw", "eye_L", "eye_R"};

    /** The model's root node. */
    public final Node model;
    /** The deformed geometry. */
    public final Geometry geometry;
    /** Base positions, xyz per vertex (a copy; unaffected by the rig). */
    public final float[] base;
    /** Position deltas per target, xyz per vertex (copies). */
    public final float[][] deltas;
    /** The target names in order. */
    public final List<String> targetNames;

    private SyntheticHead(Node model, Geometry geometry, float[] base, float[][] deltas, List<String> names) {
        this.model = model;
        this.geometry = geometry;
        this.base = base;
        this.deltas = deltas;
        this.targetNames = names;
    }

    /**
     * @param vertexCount the number of vertices
     * @param targetCount the number of morph targets, named {@code expr00}...
     * @param seed the random seed
     * @return a new model
     */
    public static SyntheticHead create(int vertexCount, int targetCount, long seed) {
        Random rnd = new Random(seed);
        float[] base = new float[3 * vertexCount];
        float[] normals = new float[3 * vertexCount];
        for (int i = 0; i < vertexCount; i++) {
            Vector3f p = new Vector3f(rnd.nextFloat() - 0.5f, rnd.nextFloat() - 0.5f, rnd.nextFloat() - 0.5f)
                    .multLocal(0.2f);
            base[3 * i] = p.x;
            base[3 * i + 1] = p.y;
            base[3 * i + 2] = p.z;
            Vector3f n = p.normalize();
            normals[3 * i] = n.x;
            normals[3 * i + 1] = n.y;
            normals[3 * i + 2] = n.z;
        }
        Mesh mesh = new Mesh();
        mesh.setBuffer(VertexBuffer.Type.Position, 3, base.clone());
        mesh.setBuffer(VertexBuffer.Type.Normal, 3, normals);
        short[] idx = new short[3 * (vertexCount - 2)];
        for (int t = 0; t < vertexCount - 2; t++) {
            idx[3 * t] = 0;
            idx[3 * t + 1] = (short) (t + 1);
            idx[3 * t + 2] = (short) (t + 2);
        }
        mesh.setBuffer(VertexBuffer.Type.Index, 3, idx);
        float[][] deltas = new float[targetCount][];
        List<String> names = new ArrayList<>();
        for (int t = 0; t < targetCount; t++) {
            float[] d = new float[3 * vertexCount];
            for (int v = 0; v < vertexCount; v++) {
                if (rnd.nextFloat() < 0.3f) { // sparse, like real face targets
                    for (int k = 0; k < 3; k++) {
                        d[3 * v + k] = (rnd.nextFloat() - 0.5f) * 0.01f;
                    }
                }
            }
            deltas[t] = d;
            MorphTarget mt = new MorphTarget(String.format("expr%02d", t));
            mt.setBuffer(VertexBuffer.Type.Position, BufferUtils.createFloatBuffer(d));
            mt.setBuffer(VertexBuffer.Type.Normal, BufferUtils.createFloatBuffer(new float[3 * vertexCount]));
            mesh.addMorphTarget(mt);
            names.add(mt.getName());
        }
        // Skin everything to the root joint, the lower half to the jaw as well.
        byte[] boneIndex = new byte[4 * vertexCount];
        float[] boneWeight = new float[4 * vertexCount];
        for (int v = 0; v < vertexCount; v++) {
            boneIndex[4 * v] = base[3 * v + 1] < 0 ? (byte) 2 : (byte) 1;
            boneWeight[4 * v] = 1f;
        }
        mesh.setBuffer(VertexBuffer.Type.BoneIndex, 4, BufferUtils.createByteBuffer(boneIndex));
        mesh.setBuffer(VertexBuffer.Type.BoneWeight, 4, BufferUtils.createFloatBuffer(boneWeight));
        mesh.getBuffer(VertexBuffer.Type.BoneIndex).setUsage(VertexBuffer.Usage.CpuOnly);
        mesh.getBuffer(VertexBuffer.Type.BoneWeight).setUsage(VertexBuffer.Usage.CpuOnly);
        mesh.setMaxNumWeights(1);
        mesh.generateBindPose();
        mesh.updateBound();

        Joint[] joints = new Joint[JOINTS.length];
        Vector3f[] rest = {new Vector3f(0, -0.1f, 0), new Vector3f(0, 0, 0), new Vector3f(0, -0.02f, 0.01f),
                new Vector3f(0.03f, 0.04f, 0.08f), new Vector3f(-0.03f, 0.04f, 0.08f)};
        int[] parents = {-1, 0, 1, 1, 1};
        for (int j = 0; j < JOINTS.length; j++) {
            joints[j] = new Joint(JOINTS[j]);
            Vector3f local = parents[j] < 0 ? rest[j] : rest[j].subtract(rest[parents[j]]);
            joints[j].setLocalTranslation(local);
            if (parents[j] >= 0) {
                joints[parents[j]].addChild(joints[j]);
            }
        }
        Armature armature = new Armature(joints);
        armature.update();
        armature.saveBindPose();
        armature.saveInitialPose();

        Geometry geom = new Geometry("SyntheticFace", mesh);
        Node model = new Node("SyntheticHead");
        model.attachChild(geom);
        SkinningControl skinning = new SkinningControl(armature);
        skinning.setHardwareSkinningPreferred(false);
        model.addControl(skinning);
        return new SyntheticHead(model, geom, base, deltas, names);
    }

    /** @return the geometry's current Position buffer as an array (a new array) */
    public float[] positions() {
        FloatBuffer fb = (FloatBuffer) geometry.getMesh().getBuffer(VertexBuffer.Type.Position).getData();
        float[] out = new float[fb.limit()];
        for (int i = 0; i < out.length; i++) {
            out[i] = fb.get(i);
        }
        return out;
    }

}
