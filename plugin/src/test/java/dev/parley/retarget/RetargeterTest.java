package dev.parley.retarget;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.head.HeadSpec;
import dev.parley.head.MotionLayout;
import dev.parley.motion.FaceJoint;
import dev.parley.motion.MotionFrame;
import dev.parley.testing.TestAssets;
import dev.parley.util.AssetFormatException;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The Java solve against the Python one, on the committed assets and the real head spec. */
class RetargeterTest {

    /** The golden weights are the Python solve's, to 9 significant digits. */
    private static final double GOLDEN_TOLERANCE = 1e-5;

    private static HeadSpec spec;

    @TempDir
    Path dir;

    @BeforeAll
    static void loadSpec() {
        spec = HeadSpec.load(TestAssets.assetManager(), TestAssets.HEAD_SPEC);
    }

    private static RetargetSet set(String id) {
        return RetargetSet.load(RetargetSetTest.committed(id));
    }

    /** A motion vector as a frame, read through the layout (the head slice too, which the solve ignores). */
    private static MotionFrame frame(double[] motion) {
        MotionLayout layout = spec.motionLayout();
        MotionLayout.Slice expression = layout.slice("expression");
        MotionFrame frame = new MotionFrame(expression.size());
        for (int i = 0; i < expression.size(); i++) {
            frame.setExpression(i, (float) motion[expression.offset() + i]);
        }
        int jaw = layout.slice("jaw").offset();
        int head = layout.slice("head").offset();
        frame.setRotation(FaceJoint.JAW, (float) motion[jaw], (float) motion[jaw + 1], (float) motion[jaw + 2]);
        return frame.setRotation(FaceJoint.HEAD, (float) motion[head], (float) motion[head + 1],
                (float) motion[head + 2]);
    }

    /** @return the largest difference from the golden weights over the set's golden frames */
    private static double goldenError(RetargetSet set) {
        Retargeter r = new Retargeter(set, spec);
        double worst = 0;
        for (int f = 0; f < set.goldenCount(); f++) {
            double[] motion = set.goldenMotion(f);
            float[] viaFrame = r.solve(frame(motion)).clone();
            float[] vector = new float[motion.length + 3];
            for (int i = 0; i < motion.length; i++) {
                vector[3 + i] = (float) motion[i];
            }
            assertArrayEquals(viaFrame, r.solve(vector, 3), "frame and vector paths agree");
            double[] expected = set.goldenWeights(f);
            for (int i = 0; i < expected.length; i++) {
                worst = Math.max(worst, Math.abs(viaFrame[i] - expected[i]));
            }
        }
        return worst;
    }

    @ParameterizedTest
    @ValueSource(strings = {"arkit52", "oculus15", "vrm10"})
    void goldenFramesReproduceThePythonWeights(String id) {
        RetargetSet set = set(id);
        double error = goldenError(set);
        assertTrue(error <= GOLDEN_TOLERANCE, id + ": max |java - python| = " + error);
        // Not a vacuous match: the typical and wide-open frames move several targets.
        for (int f = 1; f < set.goldenCount(); f++) {
            long moved = java.util.Arrays.stream(set.goldenWeights(f)).filter(v -> v > 0.1).count();
            assertTrue(moved >= 2, id + " golden frame " + f + " moves " + moved + " targets");
        }
    }

    /** The tolerance catches a wrong step count or projection: the same asset, so changed, misses its golden. */
    @ParameterizedTest
    @ValueSource(strings = {"arkit52", "oculus15", "vrm10"})
    void aWrongStepCountOrProjectionMissesTheGolden(String id) throws IOException {
        double oneStepShort = goldenError(edited(id, root -> ((ObjectNode) root.get("solve")).put("iterations", 59)));
        assertTrue(oneStepShort > 100 * GOLDEN_TOLERANCE, id + " with 59 steps: " + oneStepShort);
        double noSteps = goldenError(edited(id, root -> ((ObjectNode) root.get("solve")).put("iterations", 0)));
        assertTrue(noSteps > 0.1, id + " with 0 steps: " + noSteps);
        String other = set(id).projection() == RetargetSet.Projection.BOX ? "convex" : "box";
        double projection = goldenError(edited(id, root -> root.put("constraint", other)));
        assertTrue(projection > 0.1, id + " projected " + other + ": " + projection);
    }

    @Test
    void theRestFrameGivesZerosAndSilence() {
        MotionFrame rest = new MotionFrame(spec.expressionNames().size());
        for (String id : new String[] {"arkit52", "vrm10"}) {
            float[] w = new Retargeter(set(id), spec).solve(rest);
            assertArrayEquals(new float[w.length], w, id);
        }
        RetargetSet visemes = set("oculus15");
        float[] w = new Retargeter(visemes, spec).solve(rest);
        float[] expected = new float[visemes.targetCount()];
        expected[visemes.targetNames().indexOf("sil")] = 1f;
        assertArrayEquals(expected, w);
    }

    /** Frames well beyond the model's range (3x its spread, jaw up to 0.5 rad): bounded, and visemes a mix. */
    @ParameterizedTest
    @ValueSource(strings = {"arkit52", "oculus15", "vrm10"})
    void weightsStayInTheUnitRangeAndVisemesSumToOne(String id) {
        RetargetSet set = set(id);
        Retargeter r = new Retargeter(set, spec);
        Random rnd = new Random(16);
        MotionFrame frame = new MotionFrame(spec.expressionNames().size());
        int over = 0;
        for (int n = 0; n < 2000; n++) {
            for (int i = 0; i < frame.expressionCount(); i++) {
                frame.setExpression(i, (float) (3 * rnd.nextGaussian()));
            }
            frame.setRotation(FaceJoint.JAW, 0.6f * rnd.nextFloat() - 0.1f, 0.05f * (float) rnd.nextGaussian(),
                    0.05f * (float) rnd.nextGaussian());
            float[] w = r.solve(frame);
            double sum = 0;
            for (float v : w) {
                assertTrue(v >= 0f && v <= 1f, id + ": weight " + v);
                sum += v;
                over += v == 1f ? 1 : 0;
            }
            if (set.projection() == RetargetSet.Projection.CONVEX) {
                assertEquals(1.0, sum, 1e-6, id + " frame " + n);
            }
        }
        if (set.projection() == RetargetSet.Projection.BOX) {
            assertTrue(over > 0, id + ": such frames push some weights to the bound");
        }
    }

    @Test
    void solvingAllocatesNothingAndReusesItsArray() {
        Retargeter r = new Retargeter(set("oculus15"), spec);
        MotionFrame frame = frame(r.set().goldenMotion(2));
        float[] first = r.solve(frame);
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        for (int n = 0; n < 20_000; n++) {
            r.solve(frame);
        }
        // Only solve() inside the measured loop: JUnit's first assertSame loads classes and allocates.
        boolean same = true;
        long before = threads.getThreadAllocatedBytes(id);
        for (int n = 0; n < 20_000; n++) {
            same &= r.solve(frame) == first;
        }
        long allocated = threads.getThreadAllocatedBytes(id) - before;
        assertTrue(same, "every solve returns the retargeter's own array");
        assertTrue(allocated < 20_000, "allocated " + allocated + " bytes in 20000 frames");
    }

    @Test
    void aSetForAnotherLayoutIsRefused() {
        RetargetSet set = set("arkit52");
        AssetFormatException e = assertThrows(AssetFormatException.class,
                () -> new Retargeter(set, MotionLayout.face(40, 25, "jaw", "neck")));
        assertTrue(e.getMessage().endsWith(": field 'input' expected motion of 46 values with 40 expression weights "
                + "(the layout's) but the set was made for 56 values with 50"), e.getMessage());
        Retargeter r = new Retargeter(set, MotionLayout.face(50, 25, "jaw", "neck"));
        assertThrows(IllegalArgumentException.class, () -> r.solve(new MotionFrame(40)));
        assertThrows(IllegalArgumentException.class, () -> r.solve(new float[60], 5));
    }

    private RetargetSet edited(String id, Consumer<ObjectNode> change) throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = (ObjectNode) mapper.readTree(RetargetSetTest.committed(id).toFile());
        change.accept(root);
        Path file = dir.resolve(id + "-edited.retarget.json");
        Files.writeString(file, mapper.writeValueAsString(root));
        return RetargetSet.load(file);
    }
}
