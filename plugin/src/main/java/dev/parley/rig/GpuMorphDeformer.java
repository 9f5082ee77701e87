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
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Applies all signed expression weights in the vertex shader of {@code Parley/MatDefs/Face/Face.j3md}:
 * the weights go to the GPU as a uniform array and the position and normal deltas of every target sit
 * in one float texture, so the CPU does no per-vertex work and there is no limit on active targets.
 * The shader reads only the targets whose weight is not zero (a list sent beside the weights), so a still
 * face costs the vertex shader nothing and a software rasteriser, which runs both sides of a branch, does
 * not fetch the deltas of every target for every vertex.
 *
 * <p>Faces that share a mesh's morph data (clones of one loaded model) share one delta texture.
 * At construction the geometry gets its own copy of its material, because weights are per face.
 */
public final class GpuMorphDeformer implements MorphDeformer {

    /** Material parameter that marks a material def as able to morph on the GPU. */
    public static final String WEIGHTS_PARAM = "ParleyMorphWeights";
    /** Material parameters the shader needs. */
    private static final List<String> PARAMS = List.of(WEIGHTS_PARAM, "ParleyMorphTargetCount",
            "ParleyMorphRowsPerTarget", "ParleyMorphActive", "ParleyMorphActiveCount", "ParleyMorphDeltas");
    private static final int TEXTURE_WIDTH = 4096;
    private static final Map<FloatBuffer, Texture2D> SHARED_DELTAS = new WeakHashMap<>();

    private final Geometry geometry;
    private final Material material;
    private final int componentCount;
    private final int[] targetOfComponent;
    private final float[] uploaded;
    private final int[] active;
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
        material.setInt("ParleyMorphRowsPerTarget", rowsPerTarget(mesh));
        material.setInt("ParleyMorphTargetCount", componentCount);
        uploaded = new float[componentCount];
        active = new int[componentCount];
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
        if (applied && java.util.Arrays.equals(weights, uploaded)) {
            return;
        }
        System.arraycopy(weights, 0, uploaded, 0, componentCount);
        upload();
        applied = true;
    }

    @Override
    public void detach() {
        java.util.Arrays.fill(uploaded, 0f);
        upload();
        applied = false;
    }

    /** Sends the weights and the list of the non-zero ones, in target order (the CPU path's sum order). */
    private void upload() {
        int count = 0;
        for (int c = 0; c < componentCount; c++) {
            if (uploaded[c] != 0f) {
                active[count++] = c;
            }
        }
        // Fresh arrays each change: jME compares parameter values by reference to decide on upload.
        material.setParam(WEIGHTS_PARAM, VarType.FloatArray, uploaded.clone());
        material.setParam("ParleyMorphActive", VarType.IntArray, active.clone());
        material.setInt("ParleyMorphActiveCount", count);
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

    private static Texture2D deltaTexture(Mesh mesh, int[] targetOfComponent) {
        MorphTarget[] targets = mesh.getMorphTargets();
        FloatBuffer key = targets[0].getBuffer(VertexBuffer.Type.Position);
        synchronized (SHARED_DELTAS) {
            Texture2D cached = SHARED_DELTAS.get(key);
            if (cached != null && cached.getImage().getHeight() == rows(mesh, targetOfComponent.length)) {
                return cached;
            }
            Texture2D tex = buildTexture(mesh, targetOfComponent);
            SHARED_DELTAS.put(key, tex);
            return tex;
        }
    }

    /** Each target starts on a row of its own, so the shader finds a vertex's column and row once. */
    private static int rowsPerTarget(Mesh mesh) {
        return (2 * mesh.getVertexCount() + TEXTURE_WIDTH - 1) / TEXTURE_WIDTH;
    }

    private static int rows(Mesh mesh, int components) {
        return components * rowsPerTarget(mesh);
    }

    private static Texture2D buildTexture(Mesh mesh, int[] targetOfComponent) {
        int n = mesh.getVertexCount();
        int height = rows(mesh, targetOfComponent.length);
        int targetStride = rowsPerTarget(mesh) * TEXTURE_WIDTH;
        ByteBuffer data = BufferUtils.createByteBuffer(TEXTURE_WIDTH * height * 3 * Float.BYTES);
        FloatBuffer out = data.asFloatBuffer();
        MorphTarget[] targets = mesh.getMorphTargets();
        for (int c = 0; c < targetOfComponent.length; c++) {
            int t = targetOfComponent[c];
            FloatBuffer dp = t < 0 ? null : targets[t].getBuffer(VertexBuffer.Type.Position);
            FloatBuffer dn = t < 0 ? null : targets[t].getBuffer(VertexBuffer.Type.Normal);
            for (int v = 0; v < n; v++) {
                int o = 3 * (c * targetStride + 2 * v);
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
