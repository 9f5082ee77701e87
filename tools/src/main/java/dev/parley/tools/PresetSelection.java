package dev.parley.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.util.Validate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Chooses the corpus speakers the preset library is extracted from. The rule, reproducible from the
 * corpus manifest alone:
 * <ol>
 * <li>Candidates are the speakers of the {@code heldout} and {@code test} splits (never trained on).</li>
 * <li>Each style latent is z-scored over all of the corpus's speakers (mean and population standard
 *     deviation of that latent).</li>
 * <li>Each preset has a recipe: latents with a sign ({@link #RECIPES}); a speaker's score is the mean
 *     of the signed z-scores.</li>
 * <li>Presets are assigned in the order of {@link #RECIPES}, each to its highest-scoring candidate not
 *     taken by an earlier preset (ties: the lower speaker id).</li>
 * </ol>
 * The preset's style is then extracted from every clip of that speaker with at least one whole
 * style-encoder window (see {@link StyleExtraction}).
 */
public final class PresetSelection {

    /** The splits presets are drawn from. */
    public static final List<String> SPLITS = List.of("heldout", "test");

    /** Preset name to latents ('+' high, '-' low), in assignment order. */
    public static final Map<String, List<String>> RECIPES = recipes(
            "calm", "-head_amp -brow_activity -micro -tempo -head_freq",
            "animated", "+head_amp +brow_activity +articulation +mouth_open",
            "stern", "+brow_frown -smile -head_amp",
            "nervous", "+blink_rate +micro +head_freq +tempo",
            "cheerful", "+smile +brow_activity -brow_frown",
            "mumbling", "-mouth_open -articulation -coarticulation",
            "emphatic", "+articulation +nod_habit +mouth_open",
            "sombre", "-smile -tempo -brow_activity",
            "wry", "+asymmetry +smile -head_amp");

    /**
     * One chosen speaker.
     *
     * @param preset the preset name
     * @param speaker the speaker id
     * @param split its split
     * @param voice its voice
     * @param score its recipe score (mean signed z)
     * @param latents the recipe's latents: raw value and z-score
     * @param clips the speaker's clip ids (ascending)
     */
    public record Choice(String preset, String speaker, String split, String voice, double score,
            Map<String, double[]> latents, List<String> clips) {
    }

    private PresetSelection() {
    }

    /**
     * @param corpus a corpus folder with {@code manifest.json} and {@code clips/} (not null)
     * @return one choice per recipe, in recipe order (not null)
     * @throws IOException if the manifest cannot be read
     */
    public static List<Choice> choose(Path corpus) throws IOException {
        Validate.nonNull(corpus, "corpus");
        Path manifestFile = corpus.resolve("manifest.json");
        if (!Files.isRegularFile(manifestFile)) {
            throw new IllegalArgumentException(corpus
                    + ": no corpus manifest.json (build one: cd models && python3 -m parley corpus)");
        }
        JsonNode manifest = new ObjectMapper().readTree(manifestFile.toFile());
        JsonNode speakers = manifest.get("speakers");
        List<String> names = new ArrayList<>();
        manifest.get("style_names").forEach(n -> names.add(n.asText()));
        Map<String, double[]> stats = new LinkedHashMap<>();
        for (String latent : names) {
            double sum = 0;
            double sq = 0;
            int n = 0;
            for (var it = speakers.fields(); it.hasNext();) {
                double v = it.next().getValue().get("style").get(latent).asDouble();
                sum += v;
                sq += v * v;
                n++;
            }
            double mean = sum / n;
            stats.put(latent, new double[] {mean, Math.sqrt(Math.max(1e-12, sq / n - mean * mean))});
        }
        Map<String, List<String>> clipsOf = new LinkedHashMap<>();
        for (JsonNode c : manifest.get("clips")) {
            clipsOf.computeIfAbsent(c.get("speaker").asText(), k -> new ArrayList<>()).add(c.get("id").asText());
        }
        List<String> candidates = new ArrayList<>();
        for (var it = speakers.fields(); it.hasNext();) {
            var e = it.next();
            if (SPLITS.contains(e.getValue().get("split").asText()) && clipsOf.containsKey(e.getKey())) {
                candidates.add(e.getKey());
            }
        }
        candidates.sort(Comparator.naturalOrder());
        if (candidates.size() < RECIPES.size()) {
            throw new IllegalArgumentException(corpus + ": only " + candidates.size() + " held-out speakers for "
                    + RECIPES.size() + " presets");
        }
        Set<String> taken = new HashSet<>();
        List<Choice> out = new ArrayList<>();
        for (Map.Entry<String, List<String>> recipe : RECIPES.entrySet()) {
            String best = null;
            double bestScore = Double.NEGATIVE_INFINITY;
            for (String id : candidates) {
                if (taken.contains(id)) {
                    continue;
                }
                double score = score(speakers.get(id).get("style"), recipe.getValue(), stats);
                if (score > bestScore) {
                    best = id;
                    bestScore = score;
                }
            }
            taken.add(best);
            JsonNode sp = speakers.get(best);
            Map<String, double[]> latents = new LinkedHashMap<>();
            for (String term : recipe.getValue()) {
                String latent = term.substring(1);
                double v = sp.get("style").get(latent).asDouble();
                double[] ms = stats.get(latent);
                latents.put(latent, new double[] {v, (v - ms[0]) / ms[1]});
            }
            List<String> clips = new ArrayList<>(clipsOf.get(best));
            clips.sort(Comparator.naturalOrder());
            out.add(new Choice(recipe.getKey(), best, sp.get("split").asText(), sp.get("voice").asText(), bestScore,
                    latents, clips));
        }
        return out;
    }

    private static double score(JsonNode style, List<String> terms, Map<String, double[]> stats) {
        double s = 0;
        for (String term : terms) {
            String latent = term.substring(1);
            double[] ms = stats.get(latent);
            if (ms == null) {
                throw new IllegalArgumentException("the corpus has no style latent '" + latent + "'");
            }
            double z = (style.get(latent).asDouble() - ms[0]) / ms[1];
            s += term.charAt(0) == '-' ? -z : z;
        }
        return s / terms.size();
    }

    private static Map<String, List<String>> recipes(String... pairs) {
        Map<String, List<String>> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(pairs[i], List.of(pairs[i + 1].split(" ")));
        }
        return java.util.Collections.unmodifiableMap(m);
    }
}
