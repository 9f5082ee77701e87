package dev.parley.demo;

import com.jme3.app.Application;
import com.jme3.app.SimpleApplication;
import com.jme3.app.state.BaseAppState;
import com.jme3.asset.AssetManager;
import com.jme3.light.AmbientLight;
import com.jme3.light.DirectionalLight;
import com.jme3.material.Material;
import com.jme3.math.ColorRGBA;
import com.jme3.math.FastMath;
import com.jme3.math.Quaternion;
import com.jme3.math.Vector2f;
import com.jme3.math.Vector3f;
import com.jme3.post.FilterPostProcessor;
import com.jme3.post.ssao.SSAOFilter;
import com.jme3.renderer.queue.RenderQueue.ShadowMode;
import com.jme3.scene.Geometry;
import com.jme3.scene.Mesh;
import com.jme3.scene.Node;
import com.jme3.scene.shape.Box;
import com.jme3.scene.shape.Cylinder;
import com.jme3.scene.shape.Quad;
import com.jme3.shadow.DirectionalLightShadowFilter;
import com.jme3.shadow.EdgeFilteringMode;
import com.jme3.texture.Texture2D;

/**
 * A small walled courtyard in late-afternoon sun: cobbles, plastered walls with timber beams,
 * a door and lit windows, a well, barrels and crates. A warm sun casts soft shadows (PCF), a cool
 * sky fill and ambient light open the shadows up, and optional SSAO grounds the props.
 */
public class CourtyardState extends BaseAppState {

    private final boolean ambientOcclusion;
    private final Node root = new Node("Courtyard");
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
        Material cobbles = textured(am, ProceduralTextures.cobbles(512, 7L), 2f);
        Material plaster = textured(am, ProceduralTextures.plaster(256, new ColorRGBA(0.86f, 0.8f, 0.68f, 1f)), 1f);
        Material timber = textured(am, ProceduralTextures.planks(256, new ColorRGBA(0.36f, 0.24f, 0.15f, 1f)), 6f);
        Material stone = textured(am, ProceduralTextures.cobbles(256, 11L), 2f);
        Material window = CharacterBody.material(am, new ColorRGBA(0.2f, 0.16f, 0.1f, 1f), 1f);
        window.setColor("GlowColor", new ColorRGBA(1f, 0.75f, 0.4f, 1f));
        window.setColor("Ambient", new ColorRGBA(1.4f, 1.0f, 0.55f, 1f));
        Material roof = CharacterBody.material(am, new ColorRGBA(0.5f, 0.22f, 0.14f, 1f), 2f);
        Material water = CharacterBody.material(am, new ColorRGBA(0.08f, 0.12f, 0.14f, 1f), 64f);

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
        well.attachChild(geometry("Rim", vertical(0.62f, 0.55f), stone, 0f, 0.275f, 0f));
        well.attachChild(geometry("Water", vertical(0.52f, 0.02f), water, 0f, 0.5f, 0f));
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
            Geometry barrel = geometry("Barrel", vertical(0.3f, 0.85f), timber, b[0], 0.425f, b[1]);
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

        sun = new DirectionalLight(new Vector3f(0.55f, -0.6f, -0.58f).normalizeLocal(),
                new ColorRGBA(1.0f, 0.88f, 0.72f, 1f).multLocal(1.15f));
        DirectionalLight sky = new DirectionalLight(new Vector3f(-0.5f, -0.3f, -0.4f).normalizeLocal(),
                new ColorRGBA(0.45f, 0.55f, 0.75f, 1f).multLocal(0.35f));
        DirectionalLight bounce = new DirectionalLight(new Vector3f(0f, 0.6f, -0.8f).normalizeLocal(),
                new ColorRGBA(0.55f, 0.45f, 0.35f, 1f).multLocal(0.25f));
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
        shadows.setLambda(0.6f);
        shadows.setShadowIntensity(0.55f);
        shadows.setEdgeFilteringMode(EdgeFilteringMode.PCFPOISSON);
        filters.addFilter(shadows);
        if (ambientOcclusion) {
            filters.addFilter(new SSAOFilter(0.6f, 2.2f, 0.25f, 0.1f));
        }
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

    /** A closed upright cylinder: jME's cylinders run along Z, so stand it up. */
    private static Mesh vertical(float radius, float height) {
        return CharacterBody.vertical(radius, radius, height);
    }

    private static Material textured(AssetManager am, Texture2D texture, float shininess) {
        Material m = CharacterBody.material(am, ColorRGBA.White, shininess);
        m.setTexture("DiffuseMap", texture);
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
