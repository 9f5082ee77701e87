package dev.parley.rig;

import com.jme3.scene.Geometry;
import com.jme3.scene.Mesh;
import com.jme3.scene.VertexBuffer;
import com.jme3.scene.mesh.MorphTarget;
import dev.parley.util.MeshBuffers;
import dev.parley.util.Validate;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * Applies all signed expression weights on the CPU. Each morph target is stored sparsely (only the
 * vertices it moves), and only vertices that some target moves are rewritten each frame, so the cost
 * is proportional to the moving part of the face, not the whole mesh.
 *
 * <p>The deformed positions are written to {@code Position} and, when the mesh is skinned, to
 * {@code BindPosePosition} (which software skinning reads); normals likewise, renormalised.
 * At construction the geometry gets a shallow copy of its mesh whose position and normal buffers
 * (plain and bind-pose) are private, because clones of a loaded model share those buffers and one
 * face must never deform another. The deformer keeps its own copies of the base mesh and of the
 * target deltas; the mesh's morph targets are only read at construction.
 */
public final class CpuMorphDeformer implements MorphDeformer {

    private final Geometry geometry;
    private final Mesh mesh;
    private final int componentCount;
    private final int[] active;
    private final float[] basePosition;
    private final float[] baseNormal;
    // Per component: indices into 'active', and xyz deltas for position and normal. Null = no target.
    private final int[][] support;
    private final float[][] deltaPosition;
    private final float[][] deltaNormal;
    private final float[] workPosition;
    private final float[] workNormal;
    private final float[] lastWeights;
    private boolean applied;

    /**
     * @param geometry the geometry to deform (not null; given its own mesh with private position and
     *     normal buffers, rewritten each frame)
     * @param targetOfComponent for each expression component, the index of its morph target in
     *     {@code mesh.getMorphTargets()}, or -1 if this mesh has none (not null, unaffected)
     */
    public CpuMorphDeformer(Geometry geometry, int[] targetOfComponent) {
        this.geometry = Validate.nonNull(geometry, "geometry");
        this.mesh = MeshBuffers.ownPositionsAndNormals(geometry);
        Validate.nonNull(targetOfComponent, "targetOfComponent");
        componentCount = targetOfComponent.length;
        MorphTarget[] targets = mesh.getMorphTargets();
        int vertexCount = mesh.getVertexCount();
        float[] position = readBuffer(bindPoseOr(VertexBuffer.Type.BindPosePosition, VertexBuffer.Type.Position));
        VertexBuffer.Type normalType = bindPoseOr(VertexBuffer.Type.BindPoseNormal, VertexBuffer.Type.Normal);
        float[] normal = normalType == null ? null : readBuffer(normalType);

        // Read dense deltas once to find which vertices each target moves.
        float[][] densePos = new float[componentCount][];
        float[][] denseNrm = new float[componentCount][];
        boolean[] moved = new boolean[vertexCount];
        for (int c = 0; c < componentCount; c++) {
            int t = targetOfComponent[c];
            if (t < 0) {
                continue;
            }
            Validate.inRange(t, 0, targets.length - 1, "targetOfComponent[" + c + "]");
            densePos[c] = copyOf(targets[t].getBuffer(VertexBuffer.Type.Position), vertexCount);
            denseNrm[c] = normal == null ? null : copyOf(targets[t].getBuffer(VertexBuffer.Type.Normal), vertexCount);
            for (int v = 0; v < vertexCount; v++) {
                if (nonZero(densePos[c], v) || nonZero(denseNrm[c], v)) {
                    moved[v] = true;
                }
            }
        }
        int[] slotOfVertex = new int[vertexCount];
        Arrays.fill(slotOfVertex, -1);
        int n = 0;
        for (int v = 0; v < vertexCount; v++) {
            if (moved[v]) {
                slotOfVertex[v] = n++;
            }
        }
        active = new int[n];
        basePosition = new float[3 * n];
        baseNormal = new float[3 * n];
        for (int v = 0; v < vertexCount; v++) {
            int s = slotOfVertex[v];
            if (s >= 0) {
                active[s] = v;
                System.arraycopy(position, 3 * v, basePosition, 3 * s, 3);
                if (normal != null) {
                    System.arraycopy(normal, 3 * v, baseNormal, 3 * s, 3);
                }
            }
        }
        support = new int[componentCount][];
        deltaPosition = new float[componentCount][];
        deltaNormal = new float[componentCount][];
        for (int c = 0; c < componentCount; c++) {
            if (densePos[c] != null) {
                sparsify(c, densePos[c], denseNrm[c], slotOfVertex);
            }
        }
        workPosition = new float[3 * n];
        workNormal = new float[3 * n];
        lastWeights = new float[componentCount];
    }

    /** A deformer for a clone: its own mesh buffers and work arrays; the read-only base and deltas shared. */
    private CpuMorphDeformer(Geometry clone, CpuMorphDeformer original) {
        geometry = clone;
        mesh = MeshBuffers.ownPositionsAndNormals(clone);
        componentCount = original.componentCount;
        active = original.active;
        basePosition = original.basePosition;
        baseNormal = original.baseNormal;
        support = original.support;
        deltaPosition = original.deltaPosition;
        deltaNormal = original.deltaNormal;
        workPosition = new float[original.workPosition.length];
        workNormal = new float[original.workNormal.length];
        lastWeights = new float[componentCount];
    }

    @Override
    public MorphDeformer cloneFor(Geometry clone) {
        return new CpuMorphDeformer(Validate.nonNull(clone, "clone"), this);
    }

    @Override
    public void apply(float[] weights) {
        Validate.length(weights, componentCount, "weights");
        if (applied && Arrays.equals(weights, lastWeights)) {
            return;
        }
        System.arraycopy(basePosition, 0, workPosition, 0, basePosition.length);
        System.arraycopy(baseNormal, 0, workNormal, 0, baseNormal.length);
        for (int c = 0; c < componentCount; c++) {
            float w = weights[c];
            int[] idx = support[c];
            if (w == 0f || idx == null) {
                continue;
            }
            float[] dp = deltaPosition[c];
            float[] dn = deltaNormal[c];
            for (int k = 0, d = 0; k < idx.length; k++, d += 3) {
                int o = 3 * idx[k];
                workPosition[o] += w * dp[d];
                workPosition[o + 1] += w * dp[d + 1];
                workPosition[o + 2] += w * dp[d + 2];
                if (dn != null) {
                    workNormal[o] += w * dn[d];
                    workNormal[o + 1] += w * dn[d + 1];
                    workNormal[o + 2] += w * dn[d + 2];
                }
            }
        }
        normalize(workNormal);
        write(workPosition, workNormal);
        System.arraycopy(weights, 0, lastWeights, 0, componentCount);
        applied = true;
    }

    @Override
    public void detach() {
        write(basePosition, baseNormal);
        applied = false;
    }

    @Override
    public Geometry getGeometry() {
        return geometry;
    }

    /** @return how many vertices some target moves (the per-frame working set) */
    public int activeVertexCount() {
        return active.length;
    }

    /** Gives the geometry a shallow mesh copy whose written buffers are its own. */
    private void sparsify(int c, float[] dp, float[] dn, int[] slotOfVertex) {
        int count = 0;
        int vertexCount = slotOfVertex.length;
        for (int v = 0; v < vertexCount; v++) {
            if (nonZero(dp, v) || nonZero(dn, v)) {
                count++;
            }
        }
        int[] idx = new int[count];
        float[] p = new float[3 * count];
        float[] q = dn == null ? null : new float[3 * count];
        for (int v = 0, k = 0; v < vertexCount; v++) {
            if (nonZero(dp, v) || nonZero(dn, v)) {
                idx[k] = slotOfVertex[v];
                System.arraycopy(dp, 3 * v, p, 3 * k, 3);
                if (q != null) {
                    System.arraycopy(dn, 3 * v, q, 3 * k, 3);
                }
                k++;
            }
        }
        support[c] = idx;
        deltaPosition[c] = p;
        deltaNormal[c] = q;
    }

    private void write(float[] positions, float[] normals) {
        writeTo(VertexBuffer.Type.Position, positions);
        writeTo(VertexBuffer.Type.BindPosePosition, positions);
        if (mesh.getBuffer(VertexBuffer.Type.Normal) != null) {
            writeTo(VertexBuffer.Type.Normal, normals);
            writeTo(VertexBuffer.Type.BindPoseNormal, normals);
        }
    }

    private void writeTo(VertexBuffer.Type type, float[] values) {
        VertexBuffer vb = mesh.getBuffer(type);
        if (vb == null) {
            return;
        }
        FloatBuffer fb = (FloatBuffer) vb.getData();
        for (int s = 0; s < active.length; s++) {
            int o = 3 * active[s];
            fb.put(o, values[3 * s]).put(o + 1, values[3 * s + 1]).put(o + 2, values[3 * s + 2]);
        }
        vb.setUpdateNeeded();
    }

    private VertexBuffer.Type bindPoseOr(VertexBuffer.Type bindPose, VertexBuffer.Type plain) {
        if (mesh.getBuffer(bindPose) != null) {
            return bindPose;
        }
        return mesh.getBuffer(plain) != null ? plain : null;
    }

    private float[] readBuffer(VertexBuffer.Type type) {
        if (type == null) {
            throw new RigBindingException("mesh '" + mesh.getId() + "' has no position buffer to deform");
        }
        return copyOf((FloatBuffer) mesh.getBuffer(type).getData(), mesh.getVertexCount());
    }

    private static float[] copyOf(FloatBuffer fb, int vertexCount) {
        if (fb == null) {
            return null;
        }
        float[] out = new float[3 * vertexCount];
        for (int i = 0; i < out.length; i++) {
            out[i] = fb.get(i);
        }
        return out;
    }

    private static boolean nonZero(float[] d, int v) {
        return d != null && (d[3 * v] != 0f || d[3 * v + 1] != 0f || d[3 * v + 2] != 0f);
    }

    private static void normalize(float[] n) {
        for (int i = 0; i < n.length; i += 3) {
            float len = (float) Math.sqrt(n[i] * n[i] + n[i + 1] * n[i + 1] + n[i + 2] * n[i + 2]);
            if (len > 0f) {
                float inv = 1f / len;
                n[i] *= inv;
                n[i + 1] *= inv;
                n[i + 2] *= inv;
            }
        }
    }
}
