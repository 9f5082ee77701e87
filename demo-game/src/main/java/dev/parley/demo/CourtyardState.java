package dev.parley.demo;

import com.jme3.app.Application;
import com.jme3.app.SimpleApplication;
import com.jme3.app.state.BaseAppState;
import com.jme3.asset.AssetManager;
import com.jme3.environment.baker.IBLHybridEnvBakerLight;
import com.jme3.light.AmbientLight;
import com.jme3.light.DirectionalLight;
import com.jme3.light.LightProbe;
import com.jme3.light.SphereProbeArea;
import com.jme3.material.Material;
import com.jme3.material.RenderState;
import com.jme3.math.ColorRGBA;
import com.jme3.math.FastMath;
import com.jme3.math.Quaternion;
import com.jme3.math.Vector2f;
import com.jme3.math.Vector3f;
import com.jme3.post.FilterPostProcessor;
import com.jme3.post.filters.FXAAFilter;
import com.jme3.renderer.RenderManager;
import com.jme3.post.ssao.SSAOFilter;
import com.jme3.renderer.queue.RenderQueue;
import com.jme3.renderer.queue.RenderQueue.ShadowMode;
import com.jme3.scene.Geometry;
import com.jme3.scene.Mesh;
import com.jme3.scene.Node;
import com.jme3.scene.Spatial;
import com.jme3.scene.VertexBuffer;
import com.jme3.scene.shape.Box;
import com.jme3.scene.shape.Quad;
import com.jme3.scene.shape.Sphere;
import com.jme3.shadow.DirectionalLightShadowFilter;
import com.jme3.shadow.EdgeFilteringMode;
import com.jme3.texture.Image;
import com.jme3.texture.Texture2D;
import com.jme3.util.BufferUtils;
import java.nio.FloatBuffer;

/**
 * A small walled courtyard in late-afternoon sun: cobbles, plastered walls with timber beams,
 * a door and lit windows, a well, barrels and crates, under a sky dome. Its materials are physically based
 * ({@code PBRLighting}), lit by a warm sun with soft PCF shadows and by a light probe baked from the
 * courtyard on the first frame; multisampling or else FXAA smooths edges, and optional SSAO grounds the props.
 */
public class CourtyardState extends BaseAppState {

    /** The light probe's cube map size: enough for rough materials, and quick to bake on software GL. */
    private static final int PROBE_SIZE = 64;

    private final boolean ambientOcclusion;
    private final Node root = new Node("Courtyard");
    private LightProbe probe;
    private boolean probeLit;
    private FilterPostProcessor filters;
    private DirectionalLight sun;

    /**
     * @param ambientOcclusion true to add screen-space ambient occlusion (costs a few ms on software GL)
     */
    public CourtyardState(boolean ambientOcclusion) {
        this.ambientOcclusion = ambientOcclusion;
    }

    @Override
    protected void initialize(Application app) {
        AssetManager am = app.getAssetManager();
        Material cobbles = textured(am, ProceduralTextures.cobbles(512, 7L), 0.85f);
        cobbles.setColor("BaseColor", new ColorRGBA(0.72f, 0.68f, 0.62f, 1f)); // worn, dusty stones, not bright tiles
        Material plaster = textured(am, ProceduralTextures.plaster(256, new ColorRGBA(0.86f, 0.8f, 0.68f, 1f)), 0.95f);
        Material timber = textured(am, ProceduralTextures.planks(256, new ColorRGBA(0.36f, 0.24f, 0.15f, 1f)), 0.7f);
        Material stone = textured(am, ProceduralTextures.cobbles(256, 11L), 0.8f);
        Material window = CharacterBody.material(am, new ColorRGBA(0.2f, 0.16f, 0.1f, 1f), 0.4f);
        window.setColor("Emissive", new ColorRGBA(1f, 0.62f, 0.28f, 1f));
        window.setFloat("EmissivePower", 1f);
        window.setFloat("EmissiveIntensity", 0.9f);
        Material roof = CharacterBody.material(am, new ColorRGBA(0.5f, 0.22f, 0.14f, 1f), 0.75f);
        Material water = CharacterBody.material(am, new ColorRGBA(0.05f, 0.08f, 0.09f, 1f), 0.08f);

        Quad groundQuad = new Quad(16f, 16f);
        groundQuad.scaleTextureCoordinates(new Vector2f(10f, 10f));
        Geometry ground = geometry("Ground", groundQuad, cobbles, -8f, 0f, 8f);
        ground.setLocalRotation(new Quaternion().fromAngleAxis(-FastMath.HALF_PI, Vector3f.UNIT_X));
        ground.setShadowMode(ShadowMode.Receive);

        // Three walls: back, left, right. Each with a plinth, timber beams and openings.
        wall(am, plaster, timber, window, new Vector3f(0f, 0f, -4f), 0f, 12f);
        wall(am, plaster, timber, window, new Vector3f(-5.5f, 0f, 0f), FastMath.HALF_PI, 9f);
        wall(am, plaster, timber, window, new Vector3f(5.5f, 0f, 0f), -FastMath.HALF_PI, 9f);

        // The well behind the group.
        Node well = new Node("Well");
        // A tube with a lip, not a capped cylinder: a cap's radial texture coordinates swirl the cobbles into rings.
        well.attachChild(geometry("Rim", CharacterBody.lathe(new float[][] {{0f, 0.62f, 0.62f, 0f},
            {0.5f, 0.6f, 0.6f, 0f}, {0.56f, 0.62f, 0.62f, 0f}, {0.6f, 0.56f, 0.56f, 0f}, {0.56f, 0.5f, 0.5f, 0f},
            {0.3f, 0.5f, 0.5f, 0f}}, 32, false, 1.1f), stone, 0f, 0f, 0f));
        well.attachChild(geometry("Water", CharacterBody.lathe(new float[][] {{0.42f, 0.5f, 0.5f, 0f},
            {0.42f, 0.01f, 0.01f, 0f}}, 32, false, 1.1f), water, 0f, 0f, 0f));
        for (float side : new float[] {-0.5f, 0.5f}) {
            well.attachChild(geometry("Post", new Box(0.05f, 0.75f, 0.05f), timber, side, 1.25f, 0f));
        }
        // Two halves meeting at the ridge: each centre sits half a length down its slope.
        float slope = 0.55f;
        float half = 0.5f;
        Geometry roofL = geometry("Roof", new Box(half, 0.025f, 0.45f), roof, -half * FastMath.cos(slope),
                2.1f - half * FastMath.sin(slope), 0f);
        roofL.setLocalRotation(new Quaternion().fromAngleAxis(slope, Vector3f.UNIT_Z));
        Geometry roofR = geometry("Roof", new Box(half, 0.025f, 0.45f), roof, half * FastMath.cos(slope),
                2.1f - half * FastMath.sin(slope), 0f);
        roofR.setLocalRotation(new Quaternion().fromAngleAxis(-slope, Vector3f.UNIT_Z));
        well.attachChild(roofL);
        well.attachChild(roofR);
        well.attachChild(geometry("Beam", new Box(0.6f, 0.04f, 0.04f), timber, 0f, 1.55f, 0f));
        well.setLocalTranslation(0.2f, 0f, -2.1f);
        root.attachChild(well);

        // Barrels and crates along the walls.
        float[][] barrels = {{-4.4f, -3.2f}, {-3.75f, -3.35f}, {-4.6f, -2.5f}, {4.3f, 1.2f}};
        for (float[] b : barrels) {
            Geometry barrel = geometry("Barrel", CharacterBody.lathe(new float[][] {{0f, 0.26f, 0.26f, 0f},
                {0.42f, 0.31f, 0.31f, 0f}, {0.85f, 0.26f, 0.26f, 0f}, {0.85f, 0.01f, 0.01f, 0f}}, 24, true, 1f),
                    timber, b[0], 0f, b[1]);
            root.attachChild(barrel);
        }
        float[][] crates = {{3.6f, -3.2f, 0.35f, 0.2f}, {4.4f, -3.3f, 0.3f, -0.3f}, {3.9f, -3.2f, 0.25f, 0.6f}};
        for (int i = 0; i < crates.length; i++) {
            float[] c = crates[i];
            float y = i == 2 ? 0.7f + c[2] : c[2];
            Geometry crate = geometry("Crate", new Box(c[2], c[2], c[2]), timber, c[0], y, c[1]);
            crate.setLocalRotation(new Quaternion().fromAngleAxis(c[3], Vector3f.UNIT_Y));
            root.attachChild(crate);
        }
        root.attachChild(ground);
        root.setShadowMode(ShadowMode.CastAndReceive);
        ground.setShadowMode(ShadowMode.Receive);

        root.attachChild(skyDome());

        // PBR (the courtyard and the bodies) takes the sun and the light probe; the heads' Phong materials
        // take the sun, the fill lights and the ambient light.
        sun = new DirectionalLight(new Vector3f(0.55f, -0.6f, -0.58f).normalizeLocal(),
                new ColorRGBA(1.0f, 0.88f, 0.72f, 1f).multLocal(1.6f));
        DirectionalLight sky = new DirectionalLight(new Vector3f(-0.5f, -0.3f, -0.4f).normalizeLocal(),
                new ColorRGBA(0.45f, 0.55f, 0.75f, 1f).multLocal(0.3f));
        DirectionalLight bounce = new DirectionalLight(new Vector3f(0f, 0.6f, -0.8f).normalizeLocal(),
                new ColorRGBA(0.55f, 0.45f, 0.35f, 1f).multLocal(0.2f));
        SimpleApplication sapp = (SimpleApplication) app;
        sapp.getRootNode().addLight(sun);
        sapp.getRootNode().addLight(sky);
        sapp.getRootNode().addLight(bounce);
        sapp.getRootNode().addLight(new AmbientLight(new ColorRGBA(0.42f, 0.42f, 0.46f, 1f)));
        app.getViewPort().setBackgroundColor(new ColorRGBA(0.56f, 0.7f, 0.86f, 1f));

        filters = new FilterPostProcessor(am);
        int samples = app.getContext().getSettings().getSamples();
        if (samples > 1) {
            filters.setNumSamples(samples);
        }
        DirectionalLightShadowFilter shadows = new DirectionalLightShadowFilter(am, 2048, 3);
        shadows.setLight(sun);
        shadows.setLambda(0.65f);
        shadows.setShadowIntensity(0.6f);
        // PCF with 4x4 taps: soft edges without the Poisson pattern; casters are drawn back faces only
        // and offset, so lit faces have no acne and thin props no light leaks.
        shadows.setEdgeFilteringMode(EdgeFilteringMode.PCF4);
        shadows.setEdgesThickness(8);
        shadows.setShadowZExtend(14f);
        shadows.setShadowZFadeLength(3f);
        shadows.getPreShadowForcedRenderState().setPolyOffset(1.1f, 2f);
        filters.addFilter(shadows);
        if (ambientOcclusion) {
            filters.addFilter(new SSAOFilter(0.6f, 2.2f, 0.25f, 0.1f));
        }
        if (samples <= 1) {
            filters.addFilter(new FXAAFilter()); // with multisampling (the interactive demo's 4x) edges are smooth
        }
    }

    /**
     * Bakes the light probe once, from the middle of the courtyard (sky, walls and ground; not the cast), after
     * the first frame's scene update: PBR materials take their ambient light and reflections from it.
     */
    @Override
    public void render(RenderManager rm) {
        if (probe == null) {
            // jME's hybrid baker (as EnvironmentProbeControl's): the cube map and its mips on the GPU, the
            // irradiance's spherical harmonics on the CPU. FastLightProbeFactory's all-GPU one left null
            // coefficients on llvmpipe. Its own factory bakes at the origin, on the ground; this one at head height.
            Vector3f at = new Vector3f(0f, 1.4f, 0.5f);
            IBLHybridEnvBakerLight baker = new IBLHybridEnvBakerLight(rm, getApplication().getAssetManager(),
                    Image.Format.RGB16F, Image.Format.Depth, PROBE_SIZE, PROBE_SIZE);
            baker.setTexturePulling(false);
            baker.bakeEnvironment(root, at, 0.05f, 60f, null);
            baker.bakeSpecularIBL();
            baker.bakeSphericalHarmonicsCoefficients();
            probe = new LightProbe();
            probe.setPosition(at);
            probe.setPrefilteredMap(baker.getSpecularIBL());
            int[] mips = probe.getPrefilteredEnvMap().getImage().getMipMapSizes();
            probe.setNbMipMaps(mips != null ? mips.length : 1);
            probe.setShCoeffs(baker.getSphericalHarmonicsCoefficients());
            probe.setReady(true);
            ((SphereProbeArea) probe.getArea()).setRadius(60f);
            baker.clean();
        }
    }

    /** Lights the scene with the probe once it is baked (lights change between frames, not while rendering). */
    @Override
    public void update(float tpf) {
        if (probe != null && !probeLit) {
            probeLit = true;
            ((SimpleApplication) getApplication()).getRootNode().addLight(probe);
        }
    }

    /** A sky dome, bluer at the zenith and warm at the horizon, drawn behind everything. */
    private Geometry skyDome() {
        Sphere sphere = new Sphere(16, 24, 50f, false, true);
        FloatBuffer pos = sphere.getFloatBuffer(VertexBuffer.Type.Position);
        FloatBuffer colors = BufferUtils.createFloatBuffer(sphere.getVertexCount() * 4);
        ColorRGBA horizon = new ColorRGBA(0.95f, 0.85f, 0.7f, 1f);
        ColorRGBA zenith = new ColorRGBA(0.22f, 0.42f, 0.78f, 1f);
        ColorRGBA ground = new ColorRGBA(0.32f, 0.28f, 0.22f, 1f);
        ColorRGBA c = new ColorRGBA();
        for (int i = 0; i < sphere.getVertexCount(); i++) {
            float h = pos.get(3 * i + 2) / 50f; // the sphere's poles are on Z until it is turned
            if (h >= 0f) {
                c.interpolateLocal(horizon, zenith, (float) Math.pow(h, 0.6));
            } else {
                c.interpolateLocal(horizon, ground, Math.min(1f, -h * 6f));
            }
            colors.put(c.r).put(c.g).put(c.b).put(1f);
        }
        colors.flip();
        sphere.setBuffer(VertexBuffer.Type.Color, 4, colors);
        Geometry dome = new Geometry("Sky", sphere);
        dome.setLocalRotation(new Quaternion().fromAngleAxis(-FastMath.HALF_PI, Vector3f.UNIT_X));
        Material m = new Material(getApplication().getAssetManager(), "Common/MatDefs/Misc/Unshaded.j3md");
        m.setBoolean("VertexColor", true);
        m.getAdditionalRenderState().setFaceCullMode(RenderState.FaceCullMode.Off);
        dome.setMaterial(m);
        dome.setQueueBucket(RenderQueue.Bucket.Sky);
        dome.setCullHint(Spatial.CullHint.Never);
        dome.setShadowMode(ShadowMode.Off);
        return dome;
    }

    private void wall(AssetManager am, Material plaster, Material timber, Material window, Vector3f at, float yaw,
            float length) {
        Node wall = new Node("Wall");
        float h = 3.6f;
        Box box = new Box(length / 2, h / 2, 0.2f);
        box.scaleTextureCoordinates(new Vector2f(length / 3f, h / 3f));
        wall.attachChild(geometry("Plaster", box, plaster, 0f, h / 2, 0f));
        wall.attachChild(geometry("Plinth", new Box(length / 2, 0.2f, 0.24f), timber, 0f, 0.2f, 0f));
        wall.attachChild(geometry("Beam", new Box(length / 2, 0.08f, 0.25f), timber, 0f, 2.3f, 0f));
        wall.attachChild(geometry("Eave", new Box(length / 2, 0.1f, 0.5f), timber, 0f, h, 0.25f));
        for (float x = -length / 2 + 0.6f; x <= length / 2 - 0.5f; x += 1.8f) {
            wall.attachChild(geometry("Post", new Box(0.08f, h / 2, 0.25f), timber, x, h / 2, 0f));
        }
        wall.attachChild(geometry("Door", new Box(0.55f, 1.05f, 0.22f), timber, -length / 4, 1.05f, 0.01f));
        for (float x : new float[] {length / 6, length / 3}) {
            wall.attachChild(geometry("Window", new Box(0.38f, 0.32f, 0.21f), window, x, 1.55f, 0.01f));
            wall.attachChild(geometry("Sill", new Box(0.46f, 0.04f, 0.28f), timber, x, 1.2f, 0f));
        }
        wall.setLocalTranslation(at);
        wall.setLocalRotation(new Quaternion().fromAngleAxis(yaw, Vector3f.UNIT_Y));
        root.attachChild(wall);
    }

    private static Geometry geometry(String name, Mesh mesh, Material mat, float x, float y, float z) {
        Geometry g = new Geometry(name, mesh);
        g.setMaterial(mat);
        g.setLocalTranslation(x, y, z);
        return g;
    }

    private static Material textured(AssetManager am, Texture2D texture, float roughness) {
        Material m = CharacterBody.material(am, ColorRGBA.White, roughness);
        m.setTexture("BaseColorMap", texture);
        return m;
    }

    /** @return the sun (not null once initialized) */
    public DirectionalLight sun() {
        return sun;
    }

    @Override
    protected void cleanup(Application app) {
    }

    @Override
    protected void onEnable() {
        ((SimpleApplication) getApplication()).getRootNode().attachChild(root);
        getApplication().getViewPort().addProcessor(filters);
    }

    @Override
    protected void onDisable() {
        root.removeFromParent();
        getApplication().getViewPort().removeProcessor(filters);
    }
}
