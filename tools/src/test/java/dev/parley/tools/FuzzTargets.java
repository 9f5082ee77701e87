package dev.parley.tools;

import dev.parley.audio.AudioInputException;
import dev.parley.audio.WavReader;
import dev.parley.audio.WavWriter;
import dev.parley.pack.PackManifest;
import dev.parley.style.Style;
import dev.parley.style.StyleLoader;
import dev.parley.util.AssetFormatException;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The readers the fuzz harness runs: each takes a file a game or modder may hand Parley. */
final class FuzzTargets {

    private FuzzTargets() {
    }

    /** @return every target, in the order the harness reports them (not null) */
    static List<MutationFuzzer.Target> all() {
        return List.of(wav(), style(), manifest());
    }

    /** {@link WavReader}: every encoding and channel layout it reads, short so mutations hit the header. */
    static MutationFuzzer.Target wav() {
        return new MutationFuzzer.Target() {
            @Override
            public String name() {
                return "wav";
            }

            @Override
            public Class<? extends RuntimeException> documented() {
                return AudioInputException.class;
            }

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
            public boolean text() {
                return false;
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
        return new JsonTarget("style") {
            @Override
            public List<byte[]> seeds() throws Exception {
                java.io.ByteArrayOutputStream small = new java.io.ByteArrayOutputStream();
                StyleLoader.write(new Style("small.style.json", "Small", "parley-base-v1", new float[] {0.5f, -1f, 2f}), small);
                return List.of(Files.readAllBytes(Roots.assets().resolve("Styles/calm.style.json")), small.toByteArray());
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
        return new JsonTarget("manifest") {
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

    /** A JSON asset whose loader documents {@link AssetFormatException}. */
    private abstract static class JsonTarget implements MutationFuzzer.Target {
        private final String name;

        JsonTarget(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Class<? extends RuntimeException> documented() {
            return AssetFormatException.class;
        }

        @Override
        public boolean text() {
            return true;
        }
    }
}
