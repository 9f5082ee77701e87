package dev.parley.rig;

import com.jme3.material.Material;
import com.jme3.scene.Geometry;
import com.jme3.scene.Mesh;
import com.jme3.scene.VertexBuffer;
import com.jme3.scene.mesh.MorphTarget;
import com.jme3.shader.VarType;
import com.jme3.texture.Image;
import com.jme3.texture.Texture;
import com.jme3.texture.Texture2D;
import com.jme3.texture.image.ColorSpace;
import com.jme3.util.BufferUtils;
import dev.parley.util.Validate;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.logging.Logger;

/**
 * Applies all signed expression weights in the vertex shader of {@code Parley/MatDefs/Face/Face.j3md}:
 * the weights go to the GPU as a uniform array and the position and normal deltas of every target sit
 * in one float texture, so the CPU does no per-vertex work and there is no limit on active targets.
 * The shader's loop ends after the last non-zero weight (a uniform beside the weights), so a still face,
 * whose idle motion moves only the first targets, does not read every target's deltas for every vertex.
 *
 * <p>Faces that share a mesh's morph data (clones of one loaded model) share one delta texture.
 * At construction the geometry gets its own copy of its material, because weights are per face.
 */
public final class GpuMorphDeformer implements MorphDeformer {

    /** Material parameter that marks a material def as able to morph on the GPU. */
    public static final String WEIGHTS_PARAM = "ParleyMorphWeights";
    /** Material parameter: one past the last non-zero weight, where the shader's loop ends. */
    private static final String END_PARAM = "ParleyMorphActiveEnd";
    /** Material parameters the shader needs. */
    private static final List<String> PARAMS = List.of(WEIGHTS_PARAM, END_PARAM, "ParleyMorphTargetCount",
            "ParleyMorphVertexCount", "ParleyMorphDeltas");
    private static final int TEXTURE_WIDTH = 4096;
    private static final Logger LOG = Logger.getLogger(GpuMorphDeformer.class.getName());
    /**
     * Delta textures by the mesh's first morph target, which clones of one model share (a skinned clone gets a
     * mesh of its own with the same targets). A target is its own key (identity): keyed by its buffer, which
     * compares by content, two meshes whose first targets were equal (all zeros) shared one texture.
     */
    private static final Map<MorphTarget, SharedDeltas> SHARED_DELTAS = new WeakHashMap<>();

    private final Geometry geometry;
    private final Material material;
    private final int componentCount;
    private final int[] targetOfComponent;
    private final float[] uploaded;
    private boolean applied;

    /**
     * @param geometry the geometry to deform (not null; its material must support GPU morphing)
     * @param targetOfComponent for each expression component, the index of its morph target in the
     *     mesh, or -1 if this mesh has none (not null, unaffected)
     * @throws RigBindingException if the geometry's material cannot morph on the GPU
     */
    public GpuMorphDeformer(Geometry geometry, int[] targetOfComponent) {
        this.geometry = Validate.nonNull(geometry, "geometry");
        Validate.nonNull(targetOfComponent, "targetOfComponent");
        if (!supports(geometry)) {
            Material m = geometry.getMaterial();
            throw new RigBindingException("GPU morphing needs material Parley/MatDefs/Face/Face.j3md (or one with its "
                    + "morph parameters), but geometry '" + geometry.getName() + "' uses " + (m == null ? "no material"
                    : definitionName(m) + ", which lacks " + missingParams(m)));
        }
        componentCount = targetOfComponent.length;
        this.targetOfComponent = targetOfComponent.clone();
        material = geometry.getMaterial().clone();
        geometry.setMaterial(material);
        Mesh mesh = geometry.getMesh();
        material.setTexture("ParleyMorphDeltas", deltaTexture(mesh, targetOfComponent));
        material.setInt("ParleyMorphVertexCount", mesh.getVertexCount());
        material.setInt("ParleyMorphTargetCount", componentCount);
        uploaded = new float[componentCount];
        upload();
    }

    /**
     * @param geometry a geometry (not null)
     * @return true if its material can morph on the GPU
     */
    public static boolean supports(Geometry geometry) {
        Material m = geometry.getMaterial();
        return m != null && missingParams(m).isEmpty();
    }

    /**
     * Like {@link #supports}, for {@link MorphPath#AUTO}: a material def that has the weights but lacks another of
     * the shader's parameters (one written for an older face shader) morphs on the CPU, and a warning says why.
     *
     * @param geometry a geometry (not null)
     * @return true if its material can morph on the GPU
     */
    static boolean supportsOrWarn(Geometry geometry) {
        boolean supported = supports(geometry);
        Material m = geometry.getMaterial();
        if (!supported && m != null && m.getMaterialDef().getMaterialParam(WEIGHTS_PARAM) != null) {
            LOG.warning("Geometry '" + geometry.getName() + "' morphs on the CPU: its material, " + definitionName(m)
                    + ", has " + WEIGHTS_PARAM + " but lacks " + missingParams(m)
                    + " (declare them as Face.j3md does)");
        }
        return supported;
    }

    private static String definitionName(Material m) {
        String asset = m.getMaterialDef().getAssetName();
        return asset != null ? asset : "material definition '" + m.getMaterialDef().getName() + "'";
    }

    private static List<String> missingParams(Material m) {
        return PARAMS.stream().filter(p -> m.getMaterialDef().getMaterialParam(p) == null).toList();
    }

    @Override
    public void apply(float[] weights) {
        Validate.length(weights, componentCount, "weights");
        if (applied && Arrays.equals(weights, uploaded)) {
            return;
        }
        System.arraycopy(weights, 0, uploaded, 0, componentCount);
        upload();
        applied = true;
    }

    @Override
    public void detach() {
        Arrays.fill(uploaded, 0f);
        upload();
        applied = false;
    }

    /** Sends the weights and where the shader's loop may stop: one past the last non-zero weight. */
    private void upload() {
        int end = componentCount;
        while (end > 0 && uploaded[end - 1] == 0f) {
            end--;
        }
        // A fresh array each change: jME compares parameter values by reference to decide on upload.
        material.setParam(WEIGHTS_PARAM, VarType.FloatArray, uploaded.clone());
        material.setInt(END_PARAM, end);
    }

    @Override
    public Geometry getGeometry() {
        return geometry;
    }

    @Override
    public MorphDeformer cloneFor(Geometry clone) {
        // The clone's own material copy; the delta texture is shared through the mesh's morph data.
        return new GpuMorphDeformer(Validate.nonNull(clone, "clone"), targetOfComponent);
    }

    /** A delta texture and the target of each component it holds. */
    private record SharedDeltas(int[] targetOfComponent, Texture2D texture) {
    }

    private static Texture2D deltaTexture(Mesh mesh, int[] targetOfComponent) {
        MorphTarget key = mesh.getMorphTargets()[0];
        synchronized (SHARED_DELTAS) {
            SharedDeltas cached = SHARED_DELTAS.get(key);
            if (cached != null && Arrays.equals(cached.targetOfComponent(), targetOfComponent)) {
                return cached.texture();
            }
            Texture2D tex = buildTexture(mesh, targetOfComponent);
            SHARED_DELTAS.put(key, new SharedDeltas(targetOfComponent.clone(), tex));
            return tex;
        }
    }

    private static int rows(Mesh mesh, int components) {
        long texels = 2L * components * mesh.getVertexCount();
        return (int) ((texels + TEXTURE_WIDTH - 1) / TEXTURE_WIDTH);
    }

    private static Texture2D buildTexture(Mesh mesh, int[] targetOfComponent) {
        int n = mesh.getVertexCount();
        int height = rows(mesh, targetOfComponent.length);
        ByteBuffer data = BufferUtils.createByteBuffer(TEXTURE_WIDTH * height * 3 * Float.BYTES);
        FloatBuffer out = data.asFloatBuffer();
        MorphTarget[] targets = mesh.getMorphTargets();
        for (int c = 0; c < targetOfComponent.length; c++) {
            int t = targetOfComponent[c];
            FloatBuffer dp = t < 0 ? null : targets[t].getBuffer(VertexBuffer.Type.Position);
            FloatBuffer dn = t < 0 ? null : targets[t].getBuffer(VertexBuffer.Type.Normal);
            for (int v = 0; v < n; v++) {
                int o = 3 * 2 * (c * n + v);
                for (int k = 0; k < 3; k++) {
                    out.put(o + k, dp == null ? 0f : dp.get(3 * v + k));
                    out.put(o + 3 + k, dn == null ? 0f : dn.get(3 * v + k));
                }
            }
        }
        Image image = new Image(Image.Format.RGB32F, TEXTURE_WIDTH, height, data, ColorSpace.Linear);
        Texture2D tex = new Texture2D(image);
        tex.setMagFilter(Texture.MagFilter.Nearest);
        tex.setMinFilter(Texture.MinFilter.NearestNoMipMaps);
        return tex;
    }
}
