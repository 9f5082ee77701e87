package dev.parley.bench;

import com.jme3.asset.AssetManager;
import com.jme3.scene.Spatial;
import dev.parley.head.HeadSpec;
import dev.parley.motion.FaceJoint;
import dev.parley.motion.MotionFrame;
import dev.parley.rig.CpuMorphDeformer;
import dev.parley.head.HeadLook;
import dev.parley.rig.FaceRig;
import dev.parley.rig.MorphPath;
import dev.parley.rig.MorphDeformer;
import dev.parley.rig.RigNames;
import dev.parley.testing.TestAssets;
import java.util.Arrays;
import java.util.Random;

/**
 * Measures the rig's per-frame cost on the real head: CPU morphing of all 50 signed weights plus
 * joint posing, for one face and for many. Prints figures; asserts nothing.
 *
 * <pre>
 * mvn -q -pl plugin test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=dev.parley.bench.RigBenchmark
 * </pre>
 */
public final class RigBenchmark {

    private RigBenchmark() {
    }

    /**
     * @param args optional: number of faces (default 16) and frames (default 2000)
     */
    public static void main(String[] args) {
        int faces = args.length > 0 ? Integer.parseInt(args[0]) : 16;
        int frames = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
        AssetManager am = TestAssets.assetManager();
        HeadSpec spec = HeadSpec.load(am, TestAssets.HEAD_SPEC);
        FaceRig[] rigs = new FaceRig[faces];
        FaceRig[] gpuRigs = new FaceRig[faces];
        for (int i = 0; i < faces; i++) {
            rigs[i] = FaceRig.bind(am.loadModel(TestAssets.HEAD_MODEL), RigNames.fromSpec(spec), MorphPath.CPU);
            Spatial gpuHead = am.loadModel(TestAssets.HEAD_MODEL);
            HeadLook.apply(gpuHead, am);
            gpuRigs[i] = FaceRig.bind(gpuHead, RigNames.fromSpec(spec), MorphPath.GPU);
        }
        int active = 0;
        for (MorphDeformer d : rigs[0].getDeformers()) {
            active += ((CpuMorphDeformer) d).activeVertexCount();
        }
        System.out.printf("head: %d vertices, %d moved by some target%n", spec.vertexCount(), active);
        report("CPU morph + joints", rigs, faces, frames);
        report("GPU morph (CPU side: weight upload) + joints", gpuRigs, faces, frames);
    }

    private static void report(String what, FaceRig[] rigs, int faces, int frames) {
        Random rnd = new Random(1);
        MotionFrame frame = new MotionFrame(rigs[0].expressionCount());
        float[] w = new float[frame.expressionCount()];
        // Warm up the JIT, then time: every frame changes all weights (the worst case).
        long[] perFrame = new long[frames];
        for (int pass = 0; pass < 2; pass++) {
            for (int f = 0; f < frames; f++) {
                for (int i = 0; i < w.length; i++) {
                    w[i] = (float) rnd.nextGaussian() * 0.5f;
                }
                frame.setExpression(w).setRotation(FaceJoint.JAW, 0.1f * rnd.nextFloat(), 0f, 0f);
                long t0 = System.nanoTime();
                for (FaceRig rig : rigs) {
                    rig.apply(frame);
                }
                perFrame[f] = System.nanoTime() - t0;
            }
        }
        Arrays.sort(perFrame);
        double meanMs = Arrays.stream(perFrame).average().orElse(0) / 1e6;
        System.out.printf("%s, %d faces, all 50 weights changing every frame:%n", what, faces);
        System.out.printf("  mean %.3f ms/frame (%.3f ms per face), p50 %.3f ms, p99 %.3f ms%n",
                meanMs, meanMs / faces, perFrame[frames / 2] / 1e6, perFrame[(int) (frames * 0.99)] / 1e6);
    }
}
