package dev.parley.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.jme3.anim.Joint;
import com.jme3.app.SimpleApplication;
import com.jme3.math.Quaternion;
import com.jme3.math.Vector3f;
import com.jme3.scene.Geometry;
import com.jme3.scene.Spatial;
import com.jme3.scene.VertexBuffer;
import dev.parley.motion.FaceJoint;
import dev.parley.rig.FaceRigControl;
import dev.parley.testing.TestAssets;
import java.io.File;
import java.io.IOException;
import java.lang.reflect.Field;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code ```java} block of README.md and docs/*.md compiles against the examples' classpath (the
 * plugin, jME and its plugins). A block that is a whole file compiles as it is; any other block becomes
 * the body of a method of a {@link SimpleApplication} subclass, so {@code assetManager}, {@code rootNode},
 * {@code stateManager} and {@code cam} exist. Its other free variables are declared by an HTML comment
 * right before the fence, {@code <!-- snippet-context: Spatial guardModel; float[] pcm -->}, and imports
 * beyond the default set by {@code <!-- snippet-imports: com.jme3.audio.AudioData.DataType -->}. The
 * README's rig snippet also runs against the open head.
 */
class DocSnippetsTest {

    /** Wildcard imports every wrapped block gets: jME's common packages, then each of Parley's (added below). */
    private static final List<String> DEFAULT_IMPORTS = new ArrayList<>(List.of("com.jme3.anim.*", "com.jme3.app.*",
            "com.jme3.app.state.*", "com.jme3.asset.*", "com.jme3.audio.*", "com.jme3.light.*", "com.jme3.material.*",
            "com.jme3.math.*", "com.jme3.renderer.*", "com.jme3.scene.*", "java.nio.file.*", "java.util.*"));
    private static final Pattern CONTEXT = Pattern.compile("<!--\\s*snippet-context:(.*?)-->");
    private static final Pattern IMPORTS = Pattern.compile("<!--\\s*snippet-imports:(.*?)-->");
    private static final Pattern WHOLE_FILE = Pattern.compile(
            "^(package |(public |final |abstract )*(class|interface|record|enum) )", Pattern.MULTILINE);
    private static final Pattern TYPE_NAME = Pattern.compile(
            "^(?:public |final |abstract )*(?:class|interface|record|enum) (\\w+)", Pattern.MULTILINE);

    /** One fenced java block: where it is, its code and the context its comments declare. */
    record Snippet(String file, int line, String code, List<String> context, List<String> imports) {

        String className() {
            Matcher m = TYPE_NAME.matcher(code);
            if (WHOLE_FILE.matcher(code).find() && m.find()) {
                return m.group(1);
            }
            return "Snippet_" + file.replaceAll("\\W", "_") + "_" + line;
        }
    }

    static {
        // Every package of the plugin's sources, so a new package is imported without editing this list.
        Path sources = TestAssets.root().resolve(Path.of("plugin", "src", "main", "java"));
        try (Stream<Path> files = Files.walk(sources)) {
            files.filter(p -> p.toString().endsWith(".java") && !p.endsWith("package-info.java"))
                    .map(p -> sources.relativize(p.getParent()).toString().replace(File.separatorChar, '.'))
                    .distinct().sorted().forEach(pkg -> DEFAULT_IMPORTS.add(pkg + ".*"));
        } catch (IOException e) {
            throw new IllegalStateException("cannot list the plugin's packages under " + sources, e);
        }
    }

    @Test
    void everyJavaBlockInTheDocsCompiles(@TempDir Path out) throws IOException {
        List<Snippet> snippets = new ArrayList<>();
        for (Path doc : docs()) {
            snippets.addAll(extract(TestAssets.root().relativize(doc).toString(), Files.readString(doc)));
        }
        assertTrue(snippets.size() >= 6, "java blocks found in README.md and docs/*.md: " + snippets.size());
        List<String> errors = compile(snippets, out);
        assertTrue(errors.isEmpty(), errors.size() + " compile error(s) in the docs' java blocks:\n"
                + String.join("\n", errors) + "\n(a block's free variables and extra imports are declared right"
                + " above its fence: <!-- snippet-context: Spatial model; float[] pcm --> and"
                + " <!-- snippet-imports: com.jme3.audio.AudioData.DataType -->)");
    }

    /** The check can fail: a block with a stale name is reported at its markdown line with javac's message. */
    @Test
    void aWrongBlockIsReportedWithFileLineAndMessage(@TempDir Path out) {
        String markdown = "# Doc\n\ntext\n<!-- snippet-context: Spatial head -->\n```java\n"
                + "rootNode.attachChild(head);\nFaceRigControl.attatch(head, null);\n```\n";
        List<Snippet> snippets = extract("docs/bad.md", markdown);
        assertEquals(1, snippets.size());
        assertEquals(List.of("Spatial head"), snippets.get(0).context());
        List<String> errors = compile(snippets, out);
        assertEquals(1, errors.size(), errors.toString());
        assertTrue(errors.get(0).startsWith("docs/bad.md:7: cannot find symbol"), errors.get(0));
        assertTrue(errors.get(0).contains("attatch"), errors.get(0));
    }

    /** README's "Driving a face" runs headless on the open head: the morph weight and the jaw move. */
    @Test
    void theReadmeRigSnippetMovesTheHead(@TempDir Path out) throws Exception {
        String readme = Files.readString(TestAssets.root().resolve("README.md"));
        Snippet rig = extract("README.md", readme).stream().filter(s -> s.code().contains("FaceRigControl.attach"))
                .findFirst().orElseThrow(() -> new AssertionError("README has the rig snippet"));
        List<String> errors = compile(List.of(rig), out);
        assertTrue(errors.isEmpty(), String.join("\n", errors));
        try (URLClassLoader loader = new URLClassLoader(new URL[] {out.toUri().toURL()},
                DocSnippetsTest.class.getClassLoader())) {
            SimpleApplication app = (SimpleApplication) loader.loadClass("snippets." + rig.className())
                    .getDeclaredConstructor().newInstance();
            Field assets = app.getClass().getSuperclass().getSuperclass().getDeclaredField("assetManager");
            assets.setAccessible(true);
            assets.set(app, TestAssets.assetManager());
            app.simpleInitApp();
            assertEquals(1, app.getRootNode().getQuantity(), "the snippet attaches the head to rootNode");
            Spatial head = app.getRootNode().getChild(0);
            List<FaceRigControl> faces = new ArrayList<>();
            head.depthFirstTraversal(sp -> {
                if (sp.getControl(FaceRigControl.class) != null) {
                    faces.add(sp.getControl(FaceRigControl.class));
                }
            });
            assertEquals(1, faces.size(), "the snippet attaches one FaceRigControl in the head");
            FaceRigControl face = faces.get(0);
            Joint jaw = face.getRig().getJoint(FaceJoint.JAW);
            Quaternion bind = jaw.getLocalRotation().clone();
            float[] before = positions(face);
            app.getRootNode().updateLogicalState(1f / 60f);
            float[] after = positions(face);
            float moved = 0f;
            for (int i = 0; i < before.length; i++) {
                moved = Math.max(moved, Math.abs(after[i] - before[i]));
            }
            assertTrue(moved > 1e-4f, "lip_round at 0.8 moves the face's vertices (max " + moved + " m)");
            float jawAngle = bind.inverse().mult(jaw.getLocalRotation()).toAngleAxis(new Vector3f());
            assertEquals(0.2f, jawAngle, 1e-5f, "the jaw turns by the snippet's 0.2 rad");
        }
    }

    private static float[] positions(FaceRigControl face) {
        List<Float> all = new ArrayList<>();
        face.getRig().getDeformers().forEach(d -> {
            Geometry g = d.getGeometry();
            FloatBuffer fb = ((FloatBuffer) g.getMesh().getBuffer(VertexBuffer.Type.Position).getData()).duplicate();
            fb.rewind();
            while (fb.hasRemaining()) {
                all.add(fb.get());
            }
        });
        float[] out = new float[all.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = all.get(i);
        }
        return out;
    }

    private static List<Path> docs() throws IOException {
        List<Path> docs = new ArrayList<>();
        docs.add(TestAssets.root().resolve("README.md"));
        try (Stream<Path> s = Files.list(TestAssets.root().resolve("docs"))) {
            s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
        }
        return docs;
    }

    /** @return the markdown's java blocks, each with the context and imports its preceding comments declare */
    static List<Snippet> extract(String file, String markdown) {
        List<String> lines = markdown.lines().collect(Collectors.toList());
        List<Snippet> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).strip().equals("```java")) {
                continue;
            }
            List<String> context = new ArrayList<>();
            List<String> imports = new ArrayList<>();
            for (int j = i - 1; j >= 0 && lines.get(j).strip().startsWith("<!--"); j--) {
                context.addAll(items(CONTEXT, lines.get(j)));
                imports.addAll(items(IMPORTS, lines.get(j)));
            }
            int end = i + 1;
            while (end < lines.size() && !lines.get(end).strip().equals("```")) {
                end++;
            }
            assertTrue(end < lines.size(), file + ":" + (i + 1) + ": the java block is not closed");
            out.add(new Snippet(file, i + 1, String.join("\n", lines.subList(i + 1, end)), context, imports));
            i = end;
        }
        return out;
    }

    private static List<String> items(Pattern comment, String line) {
        Matcher m = comment.matcher(line);
        return m.find() ? Arrays.stream(m.group(1).split("[;,]")).map(String::strip).filter(s -> !s.isEmpty())
                .collect(Collectors.toList()) : List.of();
    }

    /** @return the wrapper's source line on which the snippet's first line lands */
    private static int bodyLine(Snippet s) {
        // package, blank line, imports, class line, context lines, method line
        return 2 + DEFAULT_IMPORTS.size() + s.imports().size() + 1 + s.context().size() + 1 + 1;
    }

    private static String source(Snippet s) {
        if (WHOLE_FILE.matcher(s.code()).find()) {
            return s.code();
        }
        StringBuilder src = new StringBuilder("package snippets;\n\n");
        DEFAULT_IMPORTS.forEach(i -> src.append("import ").append(i).append(";\n"));
        s.imports().forEach(i -> src.append("import ").append(i).append(";\n"));
        src.append("public class ").append(s.className()).append(" extends SimpleApplication {\n");
        s.context().forEach(c -> src.append("    ").append(c).append(";\n"));
        src.append("    void snippet() throws Exception {\n");
        List<String> hoisted = new ArrayList<>();
        for (String l : s.code().lines().collect(Collectors.toList())) {
            // The block's own imports move above the class; a blank line keeps the line numbers.
            boolean isImport = l.startsWith("import ");
            if (isImport) {
                hoisted.add(l);
            }
            src.append(isImport ? "" : l).append('\n');
        }
        src.append("    }\n    @Override\n    public void simpleInitApp() {\n        try {\n            snippet();\n")
                .append("        } catch (Exception e) {\n            throw new IllegalStateException(e);\n        }\n")
                .append("    }\n}\n");
        String text = src.toString();
        if (hoisted.isEmpty()) {
            return text;
        }
        int at = text.indexOf("public class ");
        // The block's imports join the last import line, so the snippet's line numbers stay.
        return text.substring(0, at - 1) + " " + String.join(" ", hoisted) + "\n" + text.substring(at);
    }

    /** @return one "file:line: message" per error, the line being the markdown's */
    private static List<String> compile(List<Snippet> snippets, Path out) {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "a JDK's compiler (javax.tools)");
        List<JavaFileObject> sources = new ArrayList<>();
        for (Snippet s : snippets) {
            String src = source(s);
            String name = (WHOLE_FILE.matcher(s.code()).find() ? "" : "snippets/") + s.className();
            sources.add(new SimpleJavaFileObject(Path.of(name + ".java").toUri(), JavaFileObject.Kind.SOURCE) {
                @Override
                public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                    return src;
                }
            });
        }
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        List<String> options = List.of("-classpath", classpath, "-d", out.toString(), "-proc:none", "-nowarn");
        try (StandardJavaFileManager files = javac.getStandardFileManager(null, Locale.ROOT, null)) {
            javac.getTask(null, files, diagnostics, options, null, sources).call();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        List<String> errors = new ArrayList<>();
        for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
            if (d.getKind() != Diagnostic.Kind.ERROR) {
                continue;
            }
            int index = d.getSource() == null ? -1 : sources.indexOf(d.getSource());
            if (index < 0) {
                errors.add(d.getMessage(Locale.ROOT));
                continue;
            }
            Snippet s = snippets.get(index);
            boolean whole = WHOLE_FILE.matcher(s.code()).find();
            long line = whole ? s.line() + d.getLineNumber() : s.line() + d.getLineNumber() - bodyLine(s) + 1;
            String message = d.getMessage(Locale.ROOT).lines().collect(Collectors.joining(" | "));
            errors.add(s.file() + ":" + line + ": " + message);
        }
        return errors;
    }
}
