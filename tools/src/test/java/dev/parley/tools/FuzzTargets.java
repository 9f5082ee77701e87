package dev.parley.tools;

import dev.parley.audio.AudioInputException;
import dev.parley.audio.WavReader;
import dev.parley.audio.WavWriter;
import dev.parley.head.MotionLayout;
import dev.parley.motion.FaceJoint;
import dev.parley.motion.MotionFrame;
import dev.parley.pack.PackManifest;
import dev.parley.retarget.RetargetSet;
import dev.parley.retarget.Retargeter;
import dev.parley.style.Style;
import dev.parley.style.StyleLoader;
import dev.parley.util.AssetFormatException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The readers the fuzz harness runs: each takes a file a game or modder may hand Parley (a WAV line, a
 * style, a pack manifest, a retarget set, a motion clip as {@code .npy} or {@code .npz} for {@code style extract}).
 */
final class FuzzTargets {

    private FuzzTargets() {
    }

    /** @return every target, in the order the harness reports them (not null) */
    static List<MutationFuzzer.Target> all() {
        return List.of(wav(), style(), manifest(), retarget(), npy(), npz());
    }

    /** {@link WavReader}: every encoding and channel layout it reads, short so mutations hit the header. */
    static MutationFuzzer.Target wav() {
        return new FileTarget("wav", AudioInputException.class, false) {
            @Override
            public List<byte[]> seeds() {
                List<byte[]> seeds = new ArrayList<>();
                int[] layouts = {1, 2, 6, 8};
                for (WavWriter.Encoding e : WavWriter.Encoding.values()) {
                    for (int channels : layouts) {
                        float[][] pcm = new float[channels][9];
                        for (int c = 0; c < channels; c++) {
                            for (int f = 0; f < 9; f++) {
                                pcm[c][f] = (float) Math.sin(0.7 * f + c) * 0.8f;
                            }
                        }
                        seeds.add(WavWriter.encode(pcm, channels == 1 ? 16_000 : 44_100, e, channels > 2));
                    }
                }
                return seeds;
            }

            @Override
            public String run(byte[] input, Path scratch) throws Exception {
                Path file = scratch.resolve("line.wav");
                Files.write(file, input);
                try (WavReader reader = WavReader.open(file)) {
                    float[] store = new float[4096];
                    while (reader.read(store) > 0) {
                        // Read every sample: the decode and the non-finite check run too.
                    }
                    return reader.bitsPerSample() + (reader.isFloat() ? "f" : "i") + " x" + reader.channels();
                }
            }
        };
    }

    /** {@link StyleLoader#read}: the shipped calm style and a small one. */
    static MutationFuzzer.Target style() {
        return new FileTarget("style", AssetFormatException.class, true) {
            @Override
            public List<byte[]> seeds() throws Exception {
                ByteArrayOutputStream small = new ByteArrayOutputStream();
                StyleLoader.write(new Style("small.style.json", "Small", "parley-base-v1", new float[] {0.5f, -1f, 2f}),
                        small);
                return List.of(Files.readAllBytes(Roots.assets().resolve("Styles/calm.style.json")),
                        small.toByteArray());
            }

            @Override
            public String run(byte[] input, Path scratch) {
                Style s = StyleLoader.read(new ByteArrayInputStream(input), "fuzz.style.json");
                return s.dimension() == 128 ? "pack dimension" : "other dimension";
            }
        };
    }

    /** {@link PackManifest#load}: the shipped pack's manifest. */
    static MutationFuzzer.Target manifest() {
        return new FileTarget("manifest", AssetFormatException.class, true) {
            @Override
            public List<byte[]> seeds() throws Exception {
                return List.of(Files.readAllBytes(Roots.root().resolve("models/packs/parley-base-v1/manifest.json")));
            }

            @Override
            public String run(byte[] input, Path scratch) throws Exception {
                Path file = scratch.resolve("manifest.json");
                Files.write(file, input);
                PackManifest.load(file);
                return "loaded";
            }
        };
    }

    /**
     * {@link RetargetSet#read} on the shipped VRM and viseme sets, then a solve of a wide-open frame with what
     * loaded: the weights must stay finite and in [0, 1] whatever the asset's numbers (else a finding).
     */
    static MutationFuzzer.Target retarget() {
        return new FileTarget("retarget", AssetFormatException.class, true) {
            @Override
            public List<byte[]> seeds() throws Exception {
                return List.of(Files.readAllBytes(Roots.assets().resolve("Retargets/vrm10.retarget.json")),
                        Files.readAllBytes(Roots.assets().resolve("Retargets/oculus15.retarget.json")));
            }

            @Override
            public String run(byte[] input, Path scratch) {
                RetargetSet set = RetargetSet.read(new ByteArrayInputStream(input), "fuzz.retarget.json");
                int expressions = set.expressionNames().size();
                MotionFrame frame = new MotionFrame(expressions).setRotation(FaceJoint.JAW, 0.3f, 0f, 0f);
                for (int i = 0; i < expressions; i++) {
                    frame.setExpression(i, i % 2 == 0 ? 1.5f : -1.5f);
                }
                float[] w = new Retargeter(set, MotionLayout.face(expressions, 25, "jaw", "neck")).solve(frame);
                for (float v : w) {
                    if (!(v >= 0f && v <= 1f)) {
                        throw new IllegalStateException("weight " + v + " outside [0, 1] in " + Arrays.toString(w));
                    }
                }
                return set.projection() + " x" + w.length;
            }
        };
    }

    /** {@link MotionReader#parse} on an {@code .npy}: float32 and float64 [T, 56] arrays; its header is text. */
    static MutationFuzzer.Target npy() {
        return new MotionTarget("npy", true) {
            @Override
            public List<byte[]> seeds() {
                byte[] f8 = new byte[8 * 56 * 2];
                return List.of(StyleToolsTest.npy(motion(4), 4, 56),
                        MotionReaderTest.npyWithHeader("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 56), }",
                                f8));
            }
        };
    }

    /** {@link MotionReader#parse} on an {@code .npz}: a corpus-style archive, stored and deflated. */
    static MutationFuzzer.Target npz() {
        return new MotionTarget("npz", false) {
            @Override
            public List<byte[]> seeds() throws Exception {
                List<byte[]> seeds = new ArrayList<>();
                for (int method : new int[] {ZipEntry.STORED, ZipEntry.DEFLATED}) {
                    byte[] npy = StyleToolsTest.npy(motion(3), 3, 56);
                    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
                        ZipEntry e = new ZipEntry(MotionReader.NPZ_MOTION);
                        e.setMethod(method);
                        if (method == ZipEntry.STORED) {
                            CRC32 crc = new CRC32();
                            crc.update(npy);
                            e.setSize(npy.length);
                            e.setCrc(crc.getValue());
                        }
                        zip.putNextEntry(e);
                        zip.write(npy);
                    }
                    seeds.add(bytes.toByteArray());
                }
                return seeds;
            }
        };
    }

    private static float[] motion(int frames) {
        float[] m = new float[frames * 56];
        for (int i = 0; i < m.length; i++) {
            m[i] = (float) Math.sin(i * 0.37) * 0.3f;
        }
        return m;
    }

    /** A file type: its name, the exception its reader documents and whether it is text, declared once. */
    private abstract static class FileTarget implements MutationFuzzer.Target {
        private final String name;
        private final Class<? extends RuntimeException> documented;
        private final boolean text;

        FileTarget(String name, Class<? extends RuntimeException> documented, boolean text) {
            this.name = name;
            this.documented = documented;
            this.text = text;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Class<? extends RuntimeException> documented() {
            return documented;
        }

        @Override
        public boolean text() {
            return text;
        }
    }

    /** A motion file whose reader documents {@link AssetFormatException}. */
    private abstract static class MotionTarget extends FileTarget {
        MotionTarget(String name, boolean text) {
            super(name, AssetFormatException.class, text);
        }

        @Override
        public String run(byte[] input, Path scratch) {
            MotionClip clip = MotionReader.parse(input, "fuzz." + name(), 56);
            return clip.frames() > 1 ? "frames" : "one frame";
        }
    }
}
