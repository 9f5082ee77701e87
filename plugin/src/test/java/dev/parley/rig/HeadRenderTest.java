package dev.parley.rig;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.jme3.math.Vector3f;
import com.jme3.renderer.Camera;
import com.jme3.scene.Geometry;
import com.jme3.scene.Spatial;
import dev.parley.head.HeadLook;
import dev.parley.head.HeadSpec;
import dev.parley.motion.FaceJoint;
import dev.parley.motion.MotionFrame;
import dev.parley.testing.ImageDiff;
import dev.parley.testing.RenderHarness;
import dev.parley.testing.ScreenRegions;
import dev.parley.testing.TestAssets;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Renders the real head for real (OpenGL under Xvfb) neutral, jaw open, lips pressed, lips rounded
 * and eyes blinked, and checks that the right image regions change and the others don't. Regions come
 * from the head spec's vertex sets projected through the camera, so the test follows the geometry.
 */
class HeadRenderTest {

    private static final int SIZE = 480;
    private static RenderHarness harness;
    private static HeadSpec spec;
    private static FaceRigControl face;
    private static Rectangle mouth;
    private static Rectangle eyeL;
    private static Rectangle eyeR;
    private static BufferedImage neutral;

    @BeforeAll
    static void start() throws Exception {
        spec = HeadSpec.load(TestAssets.assetManager(), TestAssets.HEAD_SPEC);
        harness = RenderHarness.start(SIZE, SIZE, app -> {
            app.getAssetManager().registerLocator(TestAssets.assets().toString(),
                    com.jme3.asset.plugins.FileLocator.class);
            Spatial head = app.getAssetManager().loadModel(TestAssets.HEAD_MODEL);
            HeadLook.apply(head, app.getAssetManager());
            face = FaceRigControl.attach(head, RigNames.fromSpec(spec));
            app.getRootNode().attachChild(head);
            RenderHarness.portraitLighting(app);
            float[] l = spec.joints().get(3).rest();
            float[] r = spec.joints().get(4).rest();
            Vector3f target = new Vector3f((l[0] + r[0]) / 2, (l[1] + r[1]) / 2 - 0.04f, (l[2] + r[2]) / 2);
            Camera cam = app.getCamera();
            cam.setFrustumPerspective(28f, 1f, 0.05f, 20f);
            cam.setLocation(target.add(0f, 0f, 0.55f));
            cam.lookAt(target, Vector3f.UNIT_Y);
            Geometry g = ScreenRegions.headGeometry(head, spec);
            mouth = ScreenRegions.project(cam, g, spec.region("lips"), 0.0f, 0.6f);
            eyeL = ScreenRegions.project(cam, g, union(spec.region("eyeL"), spec.region("lidUpperL")), 0.1f, 0.1f);
            eyeR = ScreenRegions.project(cam, g, union(spec.region("eyeR"), spec.region("lidUpperR")), 0.1f, 0.1f);
        });
        neutral = pose(f -> { });
        RenderHarness.save(neutral, "head-neutral");
    }

    @AfterAll
    static void stop() {
        if (harness != null) {
            harness.close();
        }
    }

    private interface Pose {
        void set(MotionFrame f);
    }

    private static BufferedImage pose(Pose p) throws Exception {
        return harness.capture(() -> {
            MotionFrame f = face.getFrame().setNeutral();
            p.set(f);
        });
    }

    private static int idx(String name) {
        return spec.expressionNames().indexOf(name);
    }

    @Test
    void jawOpensTheMouthOnly() throws Exception {
        BufferedImage img = pose(f -> f.setRotation(FaceJoint.JAW, 0.3f, 0f, 0f));
        RenderHarness.save(img, "head-jaw-open");
        assertChanged(img, mouth, 6.0, "mouth with jaw open");
        assertUnchanged(img, eyeL, "left eye with jaw open");
        assertUnchanged(img, eyeR, "right eye with jaw open");
    }

    @Test
    void lipsPressAndRound() throws Exception {
        BufferedImage pressed = pose(f -> f.setExpression(idx("lip_press"), 1f).setExpression(idx("lip_close"), 1f));
        RenderHarness.save(pressed, "head-lips-pressed");
        assertChanged(pressed, mouth, 1.5, "mouth with lips pressed");
        assertUnchanged(pressed, eyeL, "left eye with lips pressed");
        BufferedImage rounded =
                pose(f -> f.setExpression(idx("lip_round"), 1f).setExpression(idx("lip_protrude"), 0.8f));
        RenderHarness.save(rounded, "head-lips-rounded");
        assertChanged(rounded, mouth, 3.0, "mouth with lips rounded");
        assertUnchanged(rounded, eyeR, "right eye with lips rounded");
    }

    @Test
    void blinkClosesBothEyesAndLeavesTheMouth() throws Exception {
        BufferedImage img = pose(f -> f.setExpression(idx("blink_L"), 1f).setExpression(idx("blink_R"), 1f));
        RenderHarness.save(img, "head-blink");
        assertChanged(img, eyeL, 6.0, "left eye blinked");
        assertChanged(img, eyeR, 6.0, "right eye blinked");
        assertUnchanged(img, mouth, "mouth while blinking");
    }

    private static void assertChanged(BufferedImage img, Rectangle r, double min, String what) {
        double d = ImageDiff.meanAbsDiff(neutral, img, r);
        assertTrue(d >= min, what + ": mean abs difference " + d + " in " + r + ", expected >= " + min);
    }

    private static void assertUnchanged(BufferedImage img, Rectangle r, String what) {
        double d = ImageDiff.meanAbsDiff(neutral, img, r);
        assertTrue(d < 0.5, what + ": mean abs difference " + d + " in " + r + ", expected < 0.5");
    }

    private static int[] union(int[] a, int[] b) {
        int[] out = new int[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
