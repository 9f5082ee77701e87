package dev.parley.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.jme3.app.SimpleApplication;
import com.jme3.scene.Spatial;
import dev.parley.head.HeadSpec;
import dev.parley.rig.FaceRigControl;
import dev.parley.rig.RigNames;
import dev.parley.testing.RenderHarness;
import dev.parley.testing.TestAssets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * What the face shader costs a frame: the benchmark scene's heads (480 x 270, as {@link ParleyBenchmark}'s
 * scene) without a rig, rigged and still (all weights zero), and rigged with all 50 weights non-zero, as
 * talking faces. Under Mesa llvmpipe the vertex shader runs on the CPU, so this is where software rendering
 * spends its frame. Prints frame time p50 per case and writes JSON; asserts nothing.
 *
 * <pre>
 * xvfb-run -a mvn -q -pl plugin test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=dev.parley.bench.MorphShaderBenchmark -Dexec.args="target/morph-shader.json 12"
 * </pre>
 */
public final class MorphShaderBenchmark {

    private MorphShaderBenchmark() {
    }

    /**
     * @param args optional: the JSON output path (default {@code target/morph-shader.json}) and the number of
     *     heads (default 12)
     */
    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "target/morph-shader.json");
        int heads = args.length > 1 ? Integer.parseInt(args[1]) : 12;
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode json = mapper.createObjectNode();
        json.put("machine", Runtime.getRuntime().availableProcessors() + " cores, " + System.getProperty("os.arch"));
        json.put("loadAverageAtStart", ParleyBenchmark.ManagementLoad.loadAverage());
        json.put("heads", heads).put("window", "480x270");
        ParleyBenchmark.FrameTimes frames = new ParleyBenchmark.FrameTimes();
        try (RenderHarness h = BenchScene.start(frames)) {
            SimpleApplication app = h.app();
            json.put("renderer", h.call(() -> org.lwjgl.opengl.GL11.glGetString(org.lwjgl.opengl.GL11.GL_RENDERER)));
            HeadSpec spec = HeadSpec.load(app.getAssetManager(), TestAssets.HEAD_SPEC);
            List<Spatial> models = BenchScene.heads(h, heads);
            ObjectNode p50 = json.putObject("frameP50ms");
            p50.put("noRig", measure(frames, "no rig"));
            List<FaceRigControl> rigs = h.call(() -> {
                List<FaceRigControl> l = new ArrayList<>();
                for (Spatial m : models) {
                    l.add(FaceRigControl.attach(m, RigNames.fromSpec(spec)));
                }
                return l;
            });
            p50.put("stillFaces", measure(frames, "rigged, still (all weights 0)"));
            h.call(() -> {
                Random rnd = new Random(1);
                for (FaceRigControl f : rigs) {
                    for (int i = 0; i < f.getFrame().expressionCount(); i++) {
                        f.getFrame().setExpression(i, (float) rnd.nextGaussian() * 0.3f);
                    }
                }
                return null;
            });
            p50.put("talkingFaces", measure(frames, "rigged, all 50 weights non-zero"));
        }
        json.put("loadAverageAtEnd", ParleyBenchmark.ManagementLoad.loadAverage());
        Files.createDirectories(out.toAbsolutePath().getParent());
        mapper.writerWithDefaultPrettyPrinter().writeValue(out.toFile(), json);
        System.out.println("wrote " + out.toAbsolutePath());
        System.exit(0);
    }

    private static double measure(ParleyBenchmark.FrameTimes frames, String label) throws InterruptedException {
        Thread.sleep(1000);
        frames.start();
        Thread.sleep(5000);
        double[] r = frames.stop();
        System.out.printf("%-40s frame p50 %.1f ms over %.0f frames%n", label, r[0], r[2]);
        return Math.round(r[0] * 10) / 10.0;
    }
}
