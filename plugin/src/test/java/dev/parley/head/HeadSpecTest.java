package dev.parley.head;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.rig.RigNames;
import dev.parley.motion.FaceJoint;
import dev.parley.util.AssetFormatException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class HeadSpecTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** A minimal valid spec in the format {@code python3 -m parley head} writes. */
    static ObjectNode validSpec() {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("format", "parley-head-spec").put("version", 1).put("name", "Tiny").put("model", "Tiny.glb");
        root.putObject("mesh").put("node", "Tiny").put("vertexCount", 10).put("triangleCount", 8);
        ObjectNode expr = root.putObject("expression").put("count", 50);
        ArrayNode comps = expr.putArray("components");
        for (int i = 0; i < 50; i++) {
            comps.addObject().put("name", "e" + i).put("description", "component " + i).put("target", "t" + i);
        }
        ArrayNode joints = root.putArray("joints");
        String[] names = {"root", "neck", "jaw", "eye_L", "eye_R"};
        int[] parents = {-1, 0, 1, 1, 1};
        for (int i = 0; i < 5; i++) {
            ObjectNode j = joints.addObject().put("name", names[i]).put("parent", parents[i]);
            j.putArray("rest").add(0.01 * i).add(0.1).add(0.02);
        }
        ObjectNode motion = root.putObject("motion").put("dim", 56).put("fps", 25);
        ArrayNode layout = motion.putArray("layout");
        layout.addObject().put("name", "expression").put("offset", 0).put("size", 50);
        layout.addObject().put("name", "jaw").put("offset", 50).put("size", 3).put("joint", "jaw");
        layout.addObject().put("name", "head").put("offset", 53).put("size", 3).put("joint", "neck");
        ObjectNode regions = root.putObject("regions");
        regions.putArray("lips").add(1).add(2).add(3);
        regions.putArray("upperFace").add(7).add(8);
        ObjectNode opening = root.putObject("mouthOpening").put("closedBelow", 0.001);
        opening.putArray("pairs").addArray().add(2).add(3);
        return root;
    }

    private static HeadSpec read(ObjectNode json) {
        return HeadSpec.read(new ByteArrayInputStream(json.toString().getBytes(StandardCharsets.UTF_8)),
                "Tiny.spec.json");
    }

    private static AssetFormatException broken(Consumer<ObjectNode> edit) {
        ObjectNode json = validSpec();
        edit.accept(json);
        return assertThrows(AssetFormatException.class, () -> read(json));
    }

    @Test
    void readsAValidSpec() {
        HeadSpec spec = read(validSpec());
        assertEquals(50, spec.expressionNames().size());
        assertEquals("t7", spec.expressionTargets().get(7));
        assertEquals(56, spec.motionLayout().dim());
        assertEquals("neck", spec.motionLayout().slice("head").joint());
        assertArrayEquals(new int[] {1, 2, 3}, spec.region("lips"));
        assertEquals(0.001f, spec.mouthClosedBelow(), 1e-9f);
        RigNames names = RigNames.fromSpec(spec);
        assertEquals("t0", names.morphTargets().get(0));
        assertEquals("jaw", names.joint(FaceJoint.JAW));
        assertEquals("neck", names.joint(FaceJoint.HEAD));
        assertEquals("eye_R", names.joint(FaceJoint.EYE_R));
    }

    @Test
    void wrongComponentCountNamesFieldExpectedAndGot() {
        AssetFormatException e = broken(j -> ((ArrayNode) j.get("expression").get("components")).remove(49));
        assertEquals("Tiny.spec.json: field 'expression.components' expected 50 entries but got 49", e.getMessage());
    }

    @Test
    void missingFieldIsNamed() {
        AssetFormatException e = broken(j -> ((ObjectNode) j.get("expression").get("components").get(4))
                .remove("target"));
        assertEquals("expression.components[4].target", e.getField());
        assertTrue(e.getMessage().contains("is missing"), e.getMessage());
    }

    @Test
    void regionIndexOutOfRange() {
        AssetFormatException e = broken(j -> ((ArrayNode) j.get("regions").get("lips")).add(10));
        assertEquals("regions.lips[3]", e.getField());
        assertTrue(e.getMessage().contains("expected an index in [0, 10) but got 10"), e.getMessage());
    }

    @Test
    void motionLayoutMustTileTheVector() {
        AssetFormatException e = broken(j -> ((ObjectNode) j.get("motion")).put("dim", 59));
        assertTrue(e.getMessage().contains("'motion.dim' expected 56 (sum of slices) but got 59"), e.getMessage());
        AssetFormatException bad =
                broken(j -> ((ObjectNode) j.get("motion").get("layout").get(1)).put("joint", "chin"));
        assertTrue(bad.getMessage().contains("names joint 'chin' but the joints are [root, neck, jaw, eye_L, eye_R]"),
                bad.getMessage());
    }

    @Test
    void wrongFormatAndVersion() {
        assertTrue(broken(j -> j.put("format", "gltf")).getMessage()
                .contains("expected 'parley-head-spec' but got 'gltf'"));
        assertTrue(broken(j -> j.put("version", 2)).getMessage().contains("'version' expected 1 but got 2"));
    }

    @Test
    void malformedJson() {
        AssetFormatException e = assertThrows(AssetFormatException.class,
                () -> HeadSpec.read(new ByteArrayInputStream("{\"format\": ".getBytes(StandardCharsets.UTF_8)),
                        "x.json"));
        assertTrue(e.getMessage().startsWith("x.json is not valid JSON"), e.getMessage());
    }
}
