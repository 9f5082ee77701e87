package dev.parley.bench;

import dev.parley.head.HeadSpec;
import dev.parley.motion.FaceJoint;
import dev.parley.motion.MotionFrame;
import dev.parley.retarget.RetargetSet;
import dev.parley.retarget.Retargeter;
import dev.parley.testing.TestAssets;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Random;

/**
 * Measures the per-frame cost of {@link Retargeter} for each committed retarget set, on frames drawn like the
 * model's output (every weight changing every frame). Prints figures; asserts nothing.
 *
 * <pre>
 * mvn -q -pl plugin test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=dev.parley.bench.RetargetBenchmark
 * </pre>
 */
public final class RetargetBenchmark {

    private static final String[] SETS = {"arkit52", "oculus15", "vrm10"};

    private RetargetBenchmark() {
    }

    /**
     * @param args optional: frames per timed pass (default 10000)
     */
    public static void main(String[] args) {
        int frames = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        HeadSpec spec = HeadSpec.load(TestAssets.assetManager(), TestAssets.HEAD_SPEC);
        MotionFrame[] input = new MotionFrame[1024];
        Random rnd = new Random(1);
        for (int n = 0; n < input.length; n++) {
            input[n] = new MotionFrame(spec.expressionNames().size());
            for (int i = 0; i < input[n].expressionCount(); i++) {
                input[n].setExpression(i, (float) rnd.nextGaussian() * 0.7f);
            }
            input[n].setRotation(FaceJoint.JAW, 0.3f * rnd.nextFloat(), 0.02f * (float) rnd.nextGaussian(), 0f);
        }
        // Thread CPU time, not wall time: on a shared machine the figure leaves out time spent descheduled.
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        System.out.printf("%s, Java %s%n", System.getProperty("os.arch"), System.getProperty("java.version"));
        for (String id : SETS) {
            RetargetSet set = RetargetSet.load(TestAssets.assetManager(), "Retargets/" + id + ".retarget.json");
            Retargeter r = new Retargeter(set, spec);
            double sink = 0;
            long[] pass = new long[9];
            // The first passes warm the JIT up; the figure is the fastest later one (others lose to the shared CPU).
            for (int p = -3; p < pass.length; p++) {
                long t0 = threads.getCurrentThreadCpuTime();
                for (int f = 0; f < frames; f++) {
                    sink += r.solve(input[f & (input.length - 1)])[0];
                }
                if (p >= 0) {
                    pass[p] = threads.getCurrentThreadCpuTime() - t0;
                }
            }
            Arrays.sort(pass);
            System.out.printf("%-9s %2d targets, %d iterations: %6.0f ns CPU per frame (best of %d passes of %d frames)"
                    + "%s%n", id, set.targetCount(), set.iterations(), pass[0] / (double) frames,
                    pass.length, frames, sink == 42 ? " " : "");
        }
    }
}
