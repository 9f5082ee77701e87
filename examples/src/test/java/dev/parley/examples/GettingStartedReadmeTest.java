package dev.parley.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.testing.TestAssets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The README's "Getting started" is {@link HelloTalkingHead}'s marked regions (its imports, then its
 * {@code simpleInitApp} part), and it names every dependency the examples module has and every asset
 * folder the snippet reads from.
 */
class GettingStartedReadmeTest {

    private static final Path EXAMPLE = Path.of("examples", "src", "main", "java", "dev", "parley", "examples",
            "HelloTalkingHead.java");
    private static final String SECTION = "## Getting started: Parley in your jME game";

    @Test
    void theReadmeSnippetIsTheExamplesMarkedCode() throws IOException {
        String source = read(EXAMPLE);
        String expected = region(source, "imports") + "\n\n" + dedent(region(source, "getting-started"));
        List<String> blocks = codeBlocks(section(), "java");
        assertEquals(1, blocks.size(), "one java block in the README's getting-started");
        assertEquals(expected, blocks.get(0), "README getting-started vs " + EXAMPLE
                + " (copy the regions between // tag:: and // end:: into the README)");
    }

    @Test
    void theReadmeNamesEveryDependencyAndAssetFolder() throws IOException {
        String section = section();
        String pom = read(Path.of("examples", "pom.xml"));
        // The game's dependencies are the one-line entries (test ones carry a type or scope).
        Matcher dep = Pattern.compile("<dependency><groupId>([^<]+)</groupId><artifactId>([^<]+)</artifactId>"
                + "</dependency>").matcher(pom);
        List<String> needed = new ArrayList<>();
        while (dep.find()) {
            needed.add(dep.group(1) + ":" + dep.group(2));
        }
        assertTrue(needed.size() >= 6, "the examples' own dependencies: " + needed);
        for (String d : needed) {
            assertTrue(section.contains("`" + d + "`"), "README getting-started names " + d);
        }
        Matcher literal = Pattern.compile("\"([A-Za-z]+/[^\"]+)\"").matcher(region(read(EXAMPLE), "getting-started"));
        List<String> folders = new ArrayList<>();
        while (literal.find()) {
            String path = literal.group(1);
            String folder = path.contains(".") ? path.substring(0, path.lastIndexOf('/') + 1) : path + "/";
            folders.add(folder.startsWith("models/") ? folder : "assets/" + folder);
        }
        assertTrue(folders.size() >= 4, "the snippet reads the head, a style, a line and the pack: " + folders);
        for (String f : folders) {
            assertTrue(section.contains("`" + f + "`"), "README getting-started tells the reader to copy " + f);
        }
    }

    private static String section() throws IOException {
        String readme = read(Path.of("README.md"));
        int start = readme.indexOf(SECTION);
        assertTrue(start >= 0, "README has '" + SECTION + "'");
        int end = readme.indexOf("\n## ", start + SECTION.length());
        return readme.substring(start, end < 0 ? readme.length() : end);
    }

    private static List<String> codeBlocks(String markdown, String language) {
        Matcher m = Pattern.compile("```" + language + "\n(.*?)\n```", Pattern.DOTALL).matcher(markdown);
        List<String> out = new ArrayList<>();
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    private static String region(String source, String tag) {
        Matcher m = Pattern.compile("// tag::" + tag + "\\[\\]\n(.*?)\n[ \t]*// end::" + tag + "\\[\\]", Pattern.DOTALL)
                .matcher(source);
        assertTrue(m.find(), EXAMPLE + " marks a region '" + tag + "'");
        return m.group(1);
    }

    /** Removes the indentation common to all non-blank lines. */
    private static String dedent(String text) {
        List<String> lines = text.lines().collect(Collectors.toList());
        int indent = lines.stream().filter(l -> !l.isBlank()).mapToInt(l -> l.length() - l.stripLeading().length())
                .min().orElse(0);
        return lines.stream().map(l -> l.isBlank() ? "" : l.substring(indent)).collect(Collectors.joining("\n"));
    }

    private static String read(Path relative) throws IOException {
        return Files.readString(TestAssets.root().resolve(relative));
    }
}
