package dev.parley.rig;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.jme3.light.AmbientLight;
import com.jme3.light.DirectionalLight;
import com.jme3.math.ColorRGBA;
import com.jme3.math.Vector3f;
import com.jme3.scene.Geometry;
import com.jme3.scene.Node;
import com.jme3.scene.VertexBuffer;
import com.jme3.scene.mesh.MorphTarget;
import com.jme3.scene.shape.Sphere;
import com.jme3.util.BufferUtils;
import dev.parley.head.HeadLook;
import dev.parley.motion.MotionFrame;
import dev.parley.testing.ImageDiff;
import dev.parley.testing.RenderHarness;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The GPU morph path (weights as uniforms, deltas in a texture, applied in the vertex shader) must
 * render what the exact CPU path renders, for signed weights, on a real OpenGL context.
 */
class GpuMorphRenderTest {

    private static final int SIZE = 256;
    private static final int TARGETS = 50;
    private static RenderHarness harness;
    private static Node cpuModel;
    private static Node gpuModel;
    private static FaceRig cpuRig;
    private static FaceRig gpuRig;

    @BeforeAll
    static void start() throws Exception {
        harness = RenderHarness.start(SIZE, SIZE, app -> {
            cpuModel = bumpySphere(app.getAssetManager());
            gpuModel = bumpySphere(app.getAssetManager());
            RigNames names = RigNames.of(targetNames(), Map.of());
            cpuRig = FaceRig.bind(cpuModel, names, MorphPath.CPU);
            gpuRig = FaceRig.bind(gpuModel, names, MorphPath.AUTO);
            app.getRootNode()
                    .addLight(new DirectionalLight(new Vector3f(-0.4f, -0.5f, -0.75f).normalizeLocal(),
                    ColorRGBA.White));
            app.getRootNode().addLight(new AmbientLight(ColorRGBA.White.mult(0.3f)));
            app.getCamera().setFrustumPerspective(40f, 1f, 0.05f, 20f);
            app.getCamera().setLocation(new Vector3f(0, 0, 0.6f));
            app.getViewPort().setBackgroundColor(new ColorRGBA(0.2f, 0.22f, 0.26f, 1f));
            app.getCamera().lookAt(Vector3f.ZERO, Vector3f.UNIT_Y);
        });
    }

    @AfterAll
    static void stop() {
        if (harness != null) {
            harness.close();
        }
    }

    @Test
    void autoPicksTheGpuPathForTheFaceMaterial() {
        assertInstanceOf(GpuMorphDeformer.class, gpuRig.getDeformers().get(0));
        assertInstanceOf(CpuMorphDeformer.class, cpuRig.getDeformers().get(0));
    }

    @Test
    void gpuMatchesCpuForSignedWeights() throws Exception {
        Random rnd = new Random(42);
        MotionFrame neutralFrame = new MotionFrame(TARGETS);
        BufferedImage neutral = render(cpuModel, cpuRig, neutralFrame);
        for (int trial = 0; trial < 3; trial++) {
            MotionFrame frame = new MotionFrame(TARGETS);
            for (int i = 0; i < TARGETS; i++) {
                frame.setExpression(i, (float) rnd.nextGaussian());
            }
            frame.setExpression(0, -1.5f).setExpression(1, 0.003f);
            BufferedImage cpu = render(cpuModel, cpuRig, frame);
            BufferedImage gpu = render(gpuModel, gpuRig, frame);
            RenderHarness.save(cpu, "morph-cpu-" + trial);
            RenderHarness.save(gpu, "morph-gpu-" + trial);
            Rectangle all = new Rectangle(0, 0, SIZE, SIZE);
            double moved = ImageDiff.meanAbsDiff(neutral, cpu, all);
            double mismatch = ImageDiff.meanAbsDiff(cpu, gpu, all);
            assertTrue(moved > 2.0, "trial " + trial + ": the morphs must visibly change the image, diff " + moved);
            assertTrue(mismatch < 0.35, "trial " + trial + ": GPU differs from CPU by " + mismatch + " (changed by "
                    + moved + ")");
        }
    }

    /** The shader's loop ends after the last non-zero target: a few weights, first, middle and last, must match. */
    @Test
    void gpuMatchesCpuForAFewNonZeroWeights() throws Exception {
        BufferedImage neutral = render(cpuModel, cpuRig, new MotionFrame(TARGETS));
        MotionFrame frame = new MotionFrame(TARGETS).setExpression(0, 1.2f).setExpression(23, -1.4f)
                .setExpression(TARGETS - 1, 1.6f);
        BufferedImage cpu = render(cpuModel, cpuRig, frame);
        BufferedImage gpu = render(gpuModel, gpuRig, frame);
        RenderHarness.save(gpu, "morph-gpu-sparse");
        Rectangle all = new Rectangle(0, 0, SIZE, SIZE);
        double moved = ImageDiff.meanAbsDiff(neutral, cpu, all);
        double mismatch = ImageDiff.meanAbsDiff(cpu, gpu, all);
        assertTrue(moved > 0.5, "three morphs must visibly change the image, diff " + moved);
        assertTrue(mismatch < 0.35, "GPU differs from CPU by " + mismatch + " (changed by " + moved + ")");
        // Other targets, the last at 44: the loop must end after it, not before and not where the first frame's did.
        MotionFrame other = new MotionFrame(TARGETS).setExpression(5, -1.5f).setExpression(30, 1.5f)
                .setExpression(41, 1.2f).setExpression(44, -1.3f);
        BufferedImage cpuOther = render(cpuModel, cpuRig, other);
        BufferedImage gpuOther = render(gpuModel, gpuRig, other);
        RenderHarness.save(gpuOther, "morph-gpu-sparse-other");
        double otherMoved = ImageDiff.meanAbsDiff(neutral, cpuOther, all);
        double otherMismatch = ImageDiff.meanAbsDiff(cpuOther, gpuOther, all);
        assertTrue(otherMoved > 0.5, "four morphs must visibly change the image, diff " + otherMoved);
        assertTrue(otherMismatch < 0.1 * otherMoved, "GPU differs from CPU by " + otherMismatch + " (changed by "
                + otherMoved + ")");
        // Back to no weights: the loop ends at once and the face is the neutral one again.
        BufferedImage still = render(gpuModel, gpuRig, new MotionFrame(TARGETS));
        assertTrue(ImageDiff.meanAbsDiff(neutral, still, all) < 0.35, "a still face must render as the neutral one");
    }

    private static BufferedImage render(Node model, FaceRig rig, MotionFrame frame) throws Exception {
        return harness.capture(() -> {
            harness.app().getRootNode().detachChild(cpuModel);
            harness.app().getRootNode().detachChild(gpuModel);
            harness.app().getRootNode().attachChild(model);
            rig.apply(frame);
        });
    }

    private static List<String> targetNames() {
        List<String> names = new ArrayList<>();
        for (int t = 0; t < TARGETS; t++) {
            names.add("bump" + t);
        }
        return names;
    }

    /** A sphere with vertex colours and 50 smooth signed bumps as morph targets (fixed seed). */
    private static Node bumpySphere(com.jme3.asset.AssetManager am) {
        Sphere mesh = new Sphere(48, 48, 0.15f);
        int n = mesh.getVertexCount();
        FloatBuffer pos = mesh.getFloatBuffer(VertexBuffer.Type.Position);
        FloatBuffer nrm = mesh.getFloatBuffer(VertexBuffer.Type.Normal);
        float[] colors = new float[4 * n];
        for (int v = 0; v < n; v++) {
            colors[4 * v] = 0.85f;
            colors[4 * v + 1] = 0.6f + 0.3f * pos.get(3 * v + 1) / 0.15f;
            colors[4 * v + 2] = 0.5f;
            colors[4 * v + 3] = 1f;
        }
        mesh.setBuffer(VertexBuffer.Type.Color, 4, colors);
        Random rnd = new Random(7);
        for (int t = 0; t < TARGETS; t++) {
            Vector3f centre = new Vector3f((float) rnd.nextGaussian(), (float) rnd.nextGaussian(),
                    Math.abs((float) rnd.nextGaussian()))
                    .normalizeLocal().multLocal(0.15f);
            float[] dp = new float[3 * n];
            float[] dn = new float[3 * n];
            for (int v = 0; v < n; v++) {
                Vector3f p = new Vector3f(pos.get(3 * v), pos.get(3 * v + 1), pos.get(3 * v + 2));
                float falloff = (float) Math.exp(-p.distanceSquared(centre) / (2 * 0.03f * 0.03f));
                if (falloff < 1e-4f) {
                    continue;
                }
                for (int k = 0; k < 3; k++) {
                    dp[3 * v + k] = 0.02f * falloff * nrm.get(3 * v + k);
                    dn[3 * v + k] = 0.3f * falloff * (p.get(k) - centre.get(k)) / 0.03f;
                }
            }
            MorphTarget mt = new MorphTarget("bump" + t);
            mt.setBuffer(VertexBuffer.Type.Position, BufferUtils.createFloatBuffer(dp));
            mt.setBuffer(VertexBuffer.Type.Normal, BufferUtils.createFloatBuffer(dn));
            mesh.addMorphTarget(mt);
        }
        Geometry g = new Geometry("BumpySphere", mesh);
        Node node = new Node("BumpyModel");
        node.attachChild(g);
        HeadLook.apply(node, am);
        return node;
    }
}
