package dev.parley.head;

import com.jme3.anim.Armature;
import com.jme3.anim.Joint;
import com.jme3.anim.SkinningControl;
import com.jme3.asset.AssetInfo;
import com.jme3.asset.AssetKey;
import com.jme3.asset.AssetManager;
import com.jme3.asset.AssetNotFoundException;
import com.jme3.math.Matrix4f;
import com.jme3.math.Vector3f;
import com.jme3.scene.Geometry;
import com.jme3.scene.Mesh;
import com.jme3.scene.Spatial;
import com.jme3.scene.VertexBuffer;
import com.jme3.scene.mesh.IndexBuffer;
import dev.parley.util.AssetFormatException;
import dev.parley.util.MeshBuffers;
import dev.parley.util.Validate;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A head's identity (shape) basis, {@code *.shape.bin}: little-endian float32, the vertex basis
 * [shapes][vertices][3] then the joint basis [shapes][joints][3] (meters, the head's model space).
 * {@link #apply} gives one loaded head an identity {@code beta}: bind-pose vertices move by
 * {@code S·beta} and the joints' bind positions by {@code J_S·beta}, as the PyTorch head does.
 *
 * <pre>{@code
 * HeadShape shape = HeadShape.load(assetManager, "Models/ParleyHead/ParleyHead.spec.json", spec);
 * Spatial head = assetManager.loadModel("Models/ParleyHead/ParleyHead.glb");
 * shape.apply(head, spec, new float[] {1.2f, -0.5f});   // wider face, shorter head
 * FaceRigControl face = FaceRigControl.attach(head, RigNames.fromSpec(spec)); // bind after shaping
 * }</pre>
 *
 * {@link #apply} also records the beta on the model ({@link #betaOf}), so that
 * {@code ParleyAppState.attach} conditions the model's motion on the same face.
 *
 * Immutable once read; safe to share between threads and characters.
 */
public final class HeadShape {

    /**
     * The user-data key under which {@link #apply} records a model's beta: an array of floats, cloned
     * and saved with the model.
     */
    public static final String BETA_KEY = "ParleyBeta";

    private final String source;
    private final int shapeCount;
    private final int vertexCount;
    private final int jointCount;
    private final float[] vertexBasis;
    private final float[] jointBasis;

    private HeadShape(String source, int shapeCount, int vertexCount, int jointCount, float[] vertexBasis,
            float[] jointBasis) {
        this.source = source;
        this.shapeCount = shapeCount;
        this.vertexCount = vertexCount;
        this.jointCount = jointCount;
        this.vertexBasis = vertexBasis;
        this.jointBasis = jointBasis;
    }

    /**
     * Reads a shape basis of known dimensions.
     *
     * @param in the binary stream (not null, read to the end, not closed)
     * @param source the name used in error messages, e.g. the file name (not null)
     * @param shapeCount the number of shape components (&ge;1)
     * @param vertexCount the number of mesh vertices (&ge;1)
     * @param jointCount the number of joints (&ge;0)
     * @return a new basis (not null)
     * @throws AssetFormatException if the stream's size does not match the dimensions, or it cannot be read
     */
    public static HeadShape read(InputStream in, String source, int shapeCount, int vertexCount, int jointCount) {
        Validate.nonNull(in, "in");
        Validate.nonNull(source, "source");
        Validate.inRange(shapeCount, 1, 10_000, "shapeCount");
        Validate.inRange(vertexCount, 1, 10_000_000, "vertexCount");
        Validate.inRange(jointCount, 0, 10_000, "jointCount");
        long expected = 4L * shapeCount * (vertexCount + jointCount) * 3;
        if (expected > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a basis of " + shapeCount + " shapes over " + vertexCount
                    + " vertices does not fit in one array");
        }
        byte[] bytes;
        try {
            bytes = in.readNBytes((int) expected + 1);
        } catch (IOException e) {
            throw new AssetFormatException(source, "", "cannot be read: " + e, e);
        }
        if (bytes.length != expected) {
            throw new AssetFormatException(source, "",
                    (bytes.length > expected ? "is longer than " : "has " + bytes.length
                    + " bytes but ") + shapeCount + " shapes x (" + vertexCount + " vertices + " + jointCount
                    + " joints) x 3 float32 need " + expected + " bytes; was it written for another head?");
        }
        FloatBuffer floats = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        float[] vertexBasis = new float[shapeCount * vertexCount * 3];
        float[] jointBasis = new float[shapeCount * jointCount * 3];
        floats.get(vertexBasis).get(jointBasis);
        Validate.finite(vertexBasis, source + " vertex basis");
        Validate.finite(jointBasis, source + " joint basis");
        return new HeadShape(source, shapeCount, vertexCount, jointCount, vertexBasis, jointBasis);
    }

    /**
     * Reads the shape basis a spec names, from the spec's folder.
     *
     * @param assetManager the asset manager (not null)
     * @param specPath the spec's asset path, e.g. {@code Models/ParleyHead/ParleyHead.spec.json} (not null)
     * @param spec the spec loaded from {@code specPath} (not null, with a shape file)
     * @return a new basis (not null)
     * @throws IllegalArgumentException if the spec names no shape file
     * @throws AssetNotFoundException if the shape file is not found
     * @throws AssetFormatException if its size does not match the spec
     */
    public static HeadShape load(AssetManager assetManager, String specPath, HeadSpec spec) {
        Validate.nonNull(assetManager, "assetManager");
        Validate.nonEmpty(specPath, "specPath");
        Validate.nonNull(spec, "spec");
        if (spec.shapeFile() == null) {
            throw new IllegalArgumentException("Head spec '" + spec.source()
                    + "' names no shapeFile: the head has no identity shapes");
        }
        int slash = specPath.lastIndexOf('/');
        String path = (slash < 0 ? "" : specPath.substring(0, slash + 1)) + spec.shapeFile();
        AssetInfo info = assetManager.locateAsset(new AssetKey<>(path));
        if (info == null) {
            throw new AssetNotFoundException("Head shape basis '" + path + "' (named by " + spec.source()
                    + ") was not found by any asset locator");
        }
        try (InputStream in = info.openStream()) {
            return read(in, path, spec.shapeCount(), spec.vertexCount(), spec.joints().size());
        } catch (IOException e) {
            throw new AssetFormatException(path, "", "cannot be read: " + e, e);
        }
    }

    /** @return the number of shape components */
    public int shapeCount() {
        return shapeCount;
    }

    /** @return the number of vertices the basis moves */
    public int vertexCount() {
        return vertexCount;
    }

    /** @return the number of joints the basis moves */
    public int jointCount() {
        return jointCount;
    }

    /**
     * Vertex offsets {@code S·beta}.
     *
     * @param beta shape weights (not null, finite, length &le; shapeCount; missing components are 0; unaffected)
     * @param store the destination (null for a new array, else length vertexCount*3; overwritten)
     * @return {@code store} or a new array of xyz offsets per vertex
     */
    public float[] vertexOffsets(float[] beta, float[] store) {
        return combine(vertexBasis, vertexCount, beta, store, "store");
    }

    /**
     * Joint bind-position offsets {@code J_S·beta}, in spec joint order.
     *
     * @param beta shape weights (not null, finite, length &le; shapeCount; missing components are 0; unaffected)
     * @param store the destination (null for a new array, else length jointCount*3; overwritten)
     * @return {@code store} or a new array of xyz offsets per joint
     */
    public float[] jointOffsets(float[] beta, float[] store) {
        return combine(jointBasis, jointCount, beta, store, "store");
    }

    /**
     * Gives a freshly loaded head an identity: moves its bind-pose vertices (and turns its normals
     * with the surface) and its joints' bind positions. Call it before a {@code FaceRig} binds the
     * head, because the rig copies the bind-pose buffers it deforms. The head gets its own position
     * and normal buffers, so other heads loaded from the same asset keep their shape. The beta is
     * added to the one recorded on {@code model} ({@link #betaOf}), which the model's motion is
     * conditioned on.
     *
     * @param model a head loaded from the spec's model, not yet bound to a rig (not null; modified)
     * @param spec the head's spec (not null, same vertex and joint counts as this basis)
     * @param beta shape weights (not null, finite, length &le; shapeCount; unaffected)
     * @throws IllegalArgumentException if the model has no geometry with the spec's vertex count, or
     *     lacks one of the spec's joints
     */
    public void apply(Spatial model, HeadSpec spec, float[] beta) {
        Validate.nonNull(model, "model");
        Validate.nonNull(spec, "spec");
        if (spec.vertexCount() != vertexCount || spec.joints().size() != jointCount) {
            throw new IllegalArgumentException("spec '" + spec.source() + "' has " + spec.vertexCount()
                    + " vertices and "
                    + spec.joints().size() + " joints but shape basis '" + source + "' has " + vertexCount + " and "
                    + jointCount);
        }
        float[] dv = vertexOffsets(beta, null);
        float[] dj = jointOffsets(beta, null);
        Geometry geometry = headGeometry(model);
        Armature armature = armature(model, spec);
        Mesh mesh = MeshBuffers.ownPositionsAndNormals(geometry);
        float[] base = read(mesh, VertexBuffer.Type.Position);
        float[] shaped = base.clone();
        for (int i = 0; i < shaped.length; i++) {
            shaped[i] += dv[i];
        }
        float[] normalDelta = normalDelta(mesh, base, shaped);
        offset(mesh, VertexBuffer.Type.Position, dv, false);
        offset(mesh, VertexBuffer.Type.BindPosePosition, dv, false);
        offset(mesh, VertexBuffer.Type.Normal, normalDelta, true);
        offset(mesh, VertexBuffer.Type.BindPoseNormal, normalDelta, true);
        mesh.updateBound();
        geometry.updateModelBound();
        if (armature != null) {
            moveJoints(armature, spec, dj);
        }
        record(model, beta);
    }

    /**
     * The identity a model was given by {@link #apply}: the sum of every beta applied to it.
     *
     * @param model a model (not null, unaffected)
     * @return a new array: the recorded beta, or an empty one (the mean face) if the model was never shaped
     * @throws IllegalArgumentException if the model's {@link #BETA_KEY} user data is not a {@link BetaRecord}
     */
    public static float[] betaOf(Spatial model) {
        Validate.nonNull(model, "model");
        Object value = model.getUserData(BETA_KEY);
        if (value == null) {
            return new float[0];
        }
        if (value instanceof BetaRecord recorded) {
            return recorded.beta();
        }
        throw new IllegalArgumentException("model '" + model.getName() + "' has user data '" + BETA_KEY + "' = " + value
                + " but expected the beta recorded by HeadShape.apply");
    }

    private static void record(Spatial model, float[] beta) {
        float[] before = betaOf(model);
        float[] sum = new float[Math.max(before.length, beta.length)];
        for (int i = 0; i < sum.length; i++) {
            sum[i] = (i < before.length ? before[i] : 0f) + (i < beta.length ? beta[i] : 0f);
        }
        model.setUserData(BETA_KEY, new BetaRecord(sum));
    }

    private float[] combine(float[] basis, int rows, float[] beta, float[] store, String storeName) {
        Validate.nonNull(beta, "beta");
        if (beta.length > shapeCount) {
            throw new IllegalArgumentException("beta has " + beta.length + " components but " + source + " has "
                    + shapeCount);
        }
        Validate.finite(beta, "beta");
        int n = rows * 3;
        float[] out = store == null ? new float[n] : Validate.length(store, n, storeName);
        Arrays.fill(out, 0f);
        for (int k = 0; k < beta.length; k++) {
            float b = beta[k];
            if (b == 0f) {
                continue;
            }
            int o = k * n;
            for (int i = 0; i < n; i++) {
                out[i] += b * basis[o + i];
            }
        }
        return out;
    }

    private Geometry headGeometry(Spatial model) {
        List<Geometry> found = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        model.depthFirstTraversal(s -> {
            if (s instanceof Geometry g) {
                seen.add("'" + g.getName() + "' (" + g.getMesh().getVertexCount() + ")");
                if (g.getMesh().getVertexCount() == vertexCount) {
                    found.add(g);
                }
            }
        });
        if (found.size() != 1) {
            throw new IllegalArgumentException("model '" + model.getName() + "' needs exactly one geometry with "
                    + vertexCount
                    + " vertices for shape basis '" + source + "' but has " + found.size() + "; geometries (vertices): "
                    + seen);
        }
        return found.get(0);
    }

    private static Armature armature(Spatial model, HeadSpec spec) {
        SkinningControl[] skinning = new SkinningControl[1];
        model.depthFirstTraversal(s -> {
            if (skinning[0] == null) {
                skinning[0] = s.getControl(SkinningControl.class);
            }
        });
        if (skinning[0] == null) {
            return null;
        }
        Armature armature = skinning[0].getArmature();
        List<String> missing = new ArrayList<>();
        for (HeadSpec.Joint j : spec.joints()) {
            if (armature.getJoint(j.name()) == null) {
                missing.add(j.name());
            }
        }
        if (!missing.isEmpty()) {
            List<String> names = new ArrayList<>();
            for (Joint j : armature.getJointList()) {
                names.add(j.getName());
            }
            throw new IllegalArgumentException("model '" + model.getName() + "' lacks joint(s) " + missing
                    + " of spec '" + spec.source() + "'; joints found: " + names);
        }
        return armature;
    }

    /** Moves each joint's bind position by its offset: local translations and inverse bind matrices. */
    private static void moveJoints(Armature armature, HeadSpec spec, float[] dj) {
        armature.applyInitialPose();
        List<HeadSpec.Joint> joints = spec.joints();
        for (int i = 0; i < joints.size(); i++) {
            Joint joint = armature.getJoint(joints.get(i).name());
            int p = joints.get(i).parent();
            // Joints are bind-posed with translation only, so a parent-relative offset is a difference.
            Vector3f local = new Vector3f(dj[3 * i], dj[3 * i + 1], dj[3 * i + 2]);
            if (p >= 0) {
                local.subtractLocal(dj[3 * p], dj[3 * p + 1], dj[3 * p + 2]);
            }
            joint.setLocalTranslation(joint.getLocalTranslation().add(local));
            // inverse(B with translation t + d) = inverse(B) * translate(-d), whatever B's rotation.
            Matrix4f undo = new Matrix4f();
            undo.setTranslation(-dj[3 * i], -dj[3 * i + 1], -dj[3 * i + 2]);
            joint.setInverseModelBindMatrix(joint.getInverseModelBindMatrix().mult(undo));
        }
        armature.saveInitialPose();
        armature.update();
    }

    private static float[] read(Mesh mesh, VertexBuffer.Type type) {
        FloatBuffer fb = ((FloatBuffer) mesh.getBuffer(type).getData()).duplicate();
        fb.clear();
        float[] out = new float[fb.remaining()];
        fb.get(out);
        return out;
    }

    private static void offset(Mesh mesh, VertexBuffer.Type type, float[] delta, boolean renormalize) {
        VertexBuffer vb = mesh.getBuffer(type);
        if (vb == null) {
            return;
        }
        FloatBuffer fb = (FloatBuffer) vb.getData();
        for (int v = 0; v < delta.length / 3; v++) {
            float x = fb.get(3 * v) + delta[3 * v];
            float y = fb.get(3 * v + 1) + delta[3 * v + 1];
            float z = fb.get(3 * v + 2) + delta[3 * v + 2];
            if (renormalize) {
                float len = (float) Math.sqrt(x * x + y * y + z * z);
                if (len > 1e-12f) {
                    x /= len;
                    y /= len;
                    z /= len;
                }
            }
            fb.put(3 * v, x).put(3 * v + 1, y).put(3 * v + 2, z);
        }
        vb.updateData(fb);
    }

    /**
     * The change of each vertex's unit normal from base to shaped positions (area-weighted face
     * normals). Adding the change to the authored normal keeps the head's own smoothing at seams.
     */
    private static float[] normalDelta(Mesh mesh, float[] base, float[] shaped) {
        float[] a = faceNormals(mesh, base);
        float[] b = faceNormals(mesh, shaped);
        float[] out = new float[a.length];
        for (int v = 0; v < a.length / 3; v++) {
            float la = length(a, v);
            float lb = length(b, v);
            if (la > 0f && lb > 0f) {
                for (int c = 0; c < 3; c++) {
                    out[3 * v + c] = b[3 * v + c] / lb - a[3 * v + c] / la;
                }
            }
        }
        return out;
    }

    private static float[] faceNormals(Mesh mesh, float[] p) {
        float[] n = new float[p.length];
        IndexBuffer ib = mesh.getIndexBuffer();
        if (ib == null || mesh.getMode() != Mesh.Mode.Triangles) {
            return n;
        }
        for (int t = 0; t + 2 < ib.size(); t += 3) {
            int i0 = 3 * ib.get(t);
            int i1 = 3 * ib.get(t + 1);
            int i2 = 3 * ib.get(t + 2);
            float ux = p[i1] - p[i0];
            float uy = p[i1 + 1] - p[i0 + 1];
            float uz = p[i1 + 2] - p[i0 + 2];
            float vx = p[i2] - p[i0];
            float vy = p[i2 + 1] - p[i0 + 1];
            float vz = p[i2 + 2] - p[i0 + 2];
            float cx = uy * vz - uz * vy;
            float cy = uz * vx - ux * vz;
            float cz = ux * vy - uy * vx;
            for (int i : new int[] {i0, i1, i2}) {
                n[i] += cx;
                n[i + 1] += cy;
                n[i + 2] += cz;
            }
        }
        return n;
    }

    private static float length(float[] a, int v) {
        return (float) Math.sqrt(a[3 * v] * a[3 * v] + a[3 * v + 1] * a[3 * v + 1] + a[3 * v + 2] * a[3 * v + 2]);
    }
}
