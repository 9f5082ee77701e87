package dev.parley.rig;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.jme3.anim.MorphControl;
import com.jme3.math.Vector3f;
import com.jme3.renderer.Camera;
import com.jme3.scene.Geometry;
import com.jme3.scene.Spatial;
import com.jme3.scene.VertexBuffer;
import com.jme3.scene.mesh.MorphTarget;
import dev.parley.testing.ImageDiff;
import dev.parley.testing.RenderHarness;
import dev.parley.testing.ScreenRegions;
import dev.parley.testing.TestAssets;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The second test character renders readably under jME's own glTF material and lights (lit skin, a dark mouth
 * that opens with its jawOpen shape), with jME's morph path: nothing of Parley's rig is involved here.
 */
class ArkitHeadRenderTest {

    private static final int SIZE = 256;
    private static RenderHarness harness;
    private static Geometry geometry;
    private static Rectangle mouth;
    private static Rectangle eyes;
    private static Rectangle forehead;

    @BeforeAll
    static void start() throws Exception {
        RenderHarness.requireDisplay();
        harness = RenderHarness.start(SIZE, SIZE, app -> {
            app.getAssetManager().registerLocator(TestAssets.assets().toString(),
                    com.jme3.asset.plugins.FileLocator.class);
            Spatial head = app.getAssetManager().loadModel("Models/ArkitHead/ArkitHead.glb");
            if (head.getControl(MorphControl.class) == null) {
                head.addControl(new MorphControl()); // jME applies the morph state (the loader adds none)
            }
            app.getRootNode().attachChild(head);
            RenderHarness.portraitLighting(app);
            Vector3f target = new Vector3f(0f, 0.17f, 0.09f);
            Camera cam = app.getCamera();
            cam.setFrustumPerspective(28f, 1f, 0.05f, 20f);
            cam.setLocation(target.add(0f, 0f, 0.55f));
            cam.lookAt(target, Vector3f.UNIT_Y);
            head.depthFirstTraversal(s -> {
                if (s instanceof Geometry g) {
                    geometry = g;
                }
            });
            // regions by rest position (m): the lip line, the eyes, the forehead
            mouth = ScreenRegions.project(cam, geometry, near(0.03f, 0.124f, 0.148f), 0.0f, 1.0f);
            eyes = ScreenRegions.project(cam, geometry, near(0.05f, 0.19f, 0.215f), 0.0f, 0.0f);
            forehead = ScreenRegions.project(cam, geometry, near(0.03f, 0.24f, 0.26f), 0.0f, 0.0f);
        });
    }

    @AfterAll
    static void stop() {
        if (harness != null) {
            harness.close();
        }
    }

    @Test
    void restIsLitAndTheJawOpenShapeOpensADarkMouth() throws Exception {
        BufferedImage rest = pose("jawOpen", 0f);
        BufferedImage open = pose("jawOpen", 1f);
        RenderHarness.save(rest, "arkit-head-rest");
        RenderHarness.save(open, "arkit-head-jaw-open");
        double skin = ImageDiff.meanLuma(rest, forehead);
        assertTrue(skin > 90, "lit forehead luma " + skin + " in " + forehead + ", expected > 90");
        double restMouth = ImageDiff.meanLuma(rest, mouth);
        double openMouth = ImageDiff.meanLuma(open, mouth);
        assertTrue(openMouth < restMouth - 15, "mouth luma " + restMouth + " at rest, " + openMouth
                + " with jawOpen = 1 in " + mouth + ": expected a darker open mouth");
        double eyeDiff = ImageDiff.meanAbsDiff(rest, open, eyes);
        assertTrue(eyeDiff < 0.5, "eyes changed by " + eyeDiff + " with jawOpen in " + eyes);
    }

    private static BufferedImage pose(String target, float weight) throws Exception {
        return harness.capture(() -> {
            MorphTarget[] targets = geometry.getMesh().getMorphTargets();
            float[] w = new float[targets.length];
            for (int i = 0; i < targets.length; i++) {
                if (target.equals(targets[i].getName())) {
                    w[i] = weight;
                }
            }
            geometry.setMorphState(w);
        });
    }

    /** Front-facing vertices (z > 0.07 m) with |x| below halfWidth and y in [y0, y1]. */
    private static int[] near(float halfWidth, float y0, float y1) {
        FloatBuffer p = (FloatBuffer) geometry.getMesh().getBuffer(VertexBuffer.Type.Position).getData();
        List<Integer> out = new ArrayList<>();
        for (int v = 0; v < geometry.getMesh().getVertexCount(); v++) {
            float x = p.get(3 * v);
            float y = p.get(3 * v + 1);
            float z = p.get(3 * v + 2);
            if (Math.abs(x) < halfWidth && y >= y0 && y <= y1 && z > 0.07f) {
                out.add(v);
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }
}
