package dev.parley.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.jme3.app.state.AbstractAppState;
import com.jme3.scene.Spatial;
import dev.parley.app.Line;
import dev.parley.app.MotionSource;
import dev.parley.app.ParleyAppState;
import dev.parley.app.TalkingHead;
import dev.parley.head.HeadSpec;
import dev.parley.pack.InferenceRuntime;
import dev.parley.pack.ParleyPack;
import dev.parley.pose.PoseAdapter;
import dev.parley.service.ServiceSettings;
import dev.parley.testing.Golden;
import dev.parley.testing.HeadlessApp;
import dev.parley.testing.TestAssets;
import dev.parley.testing.TestVoice;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The render thread's cost of a character whose head pose comes from the pose adapter
 * ({@code MotionSource.withHeadPose(MotionSource.model(), adapter, style)}, issue 19): a headless application at
 * 60 fps, one such character saying {@link #LINES} lines of {@link #LINE_SECONDS} s one after another, each
 * started from an app state's update as a game would. Prints and writes the scene update time per frame (every
 * state's update and the scene's logical and geometric update: p50, p99, max) and the time of the
 * {@code say} call that starts a line. Only public API, so the same main measures an older build.
 *
 * <pre>
 * mvn -q -pl plugin test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=dev.parley.bench.PoseAdapterBenchmark -Dexec.args="target/parley-pose.json after"
 * </pre>
 */
public final class PoseAdapterBenchmark {

    private static final int LINES = 8;
    private static final double LINE_SECONDS = 6.0;

    /** Starts the next line from its update, on the render thread, inside the measured scene update. */
    private static final class Speaker extends AbstractAppState {
        private final TalkingHead head;
        private final float[] pcm;
        private final long[] sayNanos = new long[LINES];
        private volatile int said;
        private volatile boolean wanted;
        private volatile Line line;

        Speaker(TalkingHead head, float[] pcm) {
            this.head = head;
            this.pcm = pcm;
        }

        @Override
        public void update(float tpf) {
            if (wanted && said < LINES) {
                wanted = false;
                long t0 = System.nanoTime();
                line = head.say(pcm.clone(), 16000);
                sayNanos[said] = System.nanoTime() - t0;
                said++;
            }
        }
    }

    private PoseAdapterBenchmark() {
    }

    /**
     * @param args optional: the JSON output path (default {@code target/parley-pose.json}), a label (default
     *     {@code run}), and a JSON file of an earlier run to embed as {@code before}
     */
    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "target/parley-pose.json");
        String label = args.length > 1 ? args[1] : "run";
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode json = mapper.createObjectNode();
        json.put("label", label);
        json.put("machine", Runtime.getRuntime().availableProcessors() + " cores, " + System.getProperty("os.arch"));
        json.put("loadAverageAtStart", ParleyBenchmark.ManagementLoad.loadAverage());
        json.put("lines", LINES);
        json.put("lineSeconds", LINE_SECONDS);
        try (HeadlessApp app = HeadlessApp.start(60);
                ParleyPack pack = ParleyPack.load(Golden.pack(), InferenceRuntime.create(1, false));
                PoseAdapter adapter = PoseAdapter.load(TestAssets.root().resolve("models/packs/pose-adapter-v1"),
                        pack)) {
            ParleyAppState parley = new ParleyAppState(Golden.pack(), ServiceSettings.defaults().withPreferCuda(false));
            app.call(() -> app.getStateManager().attach(parley));
            if (!dev.parley.testing.Waits.until(60, () -> parley.service().isReady())) {
                throw new IllegalStateException("service not ready");
            }
            HeadSpec spec = HeadSpec.load(app.getAssetManager(), TestAssets.HEAD_SPEC);
            int style = adapter.styleIndex("spk0009");
            TalkingHead head = app.call(() -> {
                Spatial model = app.getAssetManager().loadModel(TestAssets.HEAD_MODEL);
                app.getRootNode().attachChild(model);
                TalkingHead h = parley.attach(model, spec, null);
                h.setMotionSource(MotionSource.withHeadPose(MotionSource.model(), adapter, style));
                return h;
            });
            ParleyBenchmark.FrameTimes times = new ParleyBenchmark.FrameTimes();
            Speaker speaker = new Speaker(head, TestVoice.pcm(LINE_SECONDS, 16000));
            app.call(() -> {
                app.getStateManager().attach(times);
                app.getStateManager().attach(speaker);
                return null;
            });
            Thread.sleep(500);
            times.start();
            for (int i = 0; i < LINES; i++) {
                speaker.wanted = true;
                int n = i + 1;
                if (!dev.parley.testing.Waits.until(60, () -> speaker.said == n)) {
                    throw new IllegalStateException("line " + n + " did not start");
                }
                Line l = speaker.line;
                if (!app.await(120, () -> l.state() == Line.State.FINISHED || l.state() == Line.State.FAILED)) {
                    throw new IllegalStateException("line " + n + " did not finish: " + l);
                }
                if (l.state() == Line.State.FAILED) {
                    throw new IllegalStateException("line " + n + " failed: " + l);
                }
            }
            double[] t = times.stop();
            long[] say = speaker.sayNanos.clone();
            Arrays.sort(say);
            json.put("frames", (int) t[2]);
            json.put("sceneUpdateP50Ms", t[3]);
            json.put("sceneUpdateP99Ms", t[4]);
            json.put("sayP50Ms", say[say.length / 2] / 1e6);
            json.put("sayMaxMs", say[say.length - 1] / 1e6);
            System.out.printf("pose adapter character (%s): scene update p50 %.3f ms, p99 %.3f ms over %d frames;"
                    + " say() p50 %.2f ms, max %.2f ms%n", label, t[3], t[4], (int) t[2], say[say.length / 2] / 1e6,
                    say[say.length - 1] / 1e6);
            json.set("adapterRunsByThread", mapper.valueToTree(adapter.runCounts()));
            System.out.println("adapter session runs by graph@thread: " + adapter.runCounts());
            app.call(() -> app.getStateManager().detach(parley));
        }
        json.put("loadAverageAtEnd", ParleyBenchmark.ManagementLoad.loadAverage());
        if (args.length > 2) {
            json.set("before", mapper.readTree(Path.of(args[2]).toFile()));
        }
        Files.createDirectories(out.toAbsolutePath().getParent());
        mapper.writerWithDefaultPrettyPrinter().writeValue(out.toFile(), json);
        System.out.println("wrote " + out);
    }
}
