package dev.parley.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.jme3.asset.AssetManager;
import com.jme3.scene.Geometry;
import com.jme3.scene.Spatial;
import com.jme3.scene.VertexBuffer;
import dev.parley.head.HeadShape;
import dev.parley.head.HeadSpec;
import dev.parley.motion.MotionFrame;
import dev.parley.rig.FaceRig;
import dev.parley.rig.MorphDeformer;
import dev.parley.rig.MorphPath;
import dev.parley.rig.RigNames;
import dev.parley.testing.TestAssets;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Villagers' grooming rides the face's rig: every hair, beard and lash vertex moves exactly as the skin vertex it
 * stands on when expressions play (blinks, brows, speech), on a shaped head; and character files name a bad
 * grooming field.
 */
class GroomingTest {

    private static final String SPEC = "Models/ParleyHead/ParleyHead.spec.json";

    @Test
    void groomingMovesWithTheSkinItStandsOn() {
        groomed("Bram", Set.of("Hair", "Beard", "Lashes", "EyeSockets"));
        groomed("Mara", Set.of("Hair", "Bun", "Lashes", "EyeSockets"));
        groomed("Ilse", Set.of("Hair", "HairBack", "Lashes", "EyeSockets"));
    }

    /** Grooms a shipped villager, checks what was added, and that the rig moves it as the skin under it. */
    private static void groomed(String villager, Set<String> pieces) {
        AssetManager am = TestAssets.assetManager(DemoAssets.folder());
        HeadSpec spec = HeadSpec.load(am, SPEC);
        Spatial head = am.loadModel("Models/ParleyHead/ParleyHead.glb");
        CharacterProfile who = CharacterAssets.load(DemoAssets.folder().resolve(CharacterAssets.FOLDER)).stream()
                .map(CharacterAssets.Entry::profile).filter(p -> p.name().startsWith(villager)).findFirst()
                .orElseThrow();
        HeadShape.load(am, SPEC, spec).apply(head, spec, who.beta());
        List<Geometry> added = who.grooming().apply(head, spec, am);
        assertEquals(pieces, added.stream().map(Geometry::getName).collect(Collectors.toSet()),
                villager + "'s grooming");
        Geometry skin = Grooming.baseGeometry(head, spec);
        float[] rest = floats(skin, VertexBuffer.Type.Position);

        Map<String, float[]> restOf = new HashMap<>();
        for (Geometry g : added) {
            restOf.put(g.getName(), floats(g, VertexBuffer.Type.Position));
        }
        FaceRig rig = FaceRig.bind(head, RigNames.fromSpec(spec), MorphPath.CPU);
        Set<String> bound = rig.getDeformers().stream().map(d -> d.getGeometry().getName()).collect(Collectors.toSet());
        // the bun, the long hair's back and the eye sockets are rigid: each rides one skin vertex
        Set<String> morphed = new HashSet<>(pieces);
        morphed.removeAll(Set.of("Bun", "HairBack", "EyeSockets"));
        assertTrue(bound.containsAll(morphed), "the rig binds the grooming: " + bound);
        List<String> names = RigNames.fromSpec(spec).morphTargets();
        MotionFrame frame = new MotionFrame(rig.expressionCount());
        for (String n : List.of("blink_L", "blink_R", "brow_inner_raise", "lip_close", "mouth_corners_up")) {
            frame.setExpression(names.indexOf(n), 1f);
        }
        rig.apply(frame);
        float[] posed = floats(skin, VertexBuffer.Type.Position);
        // seam vertices are duplicated (coincident at rest): a groom vertex stands on one of them
        Map<String, List<Integer>> skinAt = new HashMap<>();
        for (int v = 0; v < spec.vertexCount(); v++) {
            skinAt.computeIfAbsent(key(rest, v), k -> new ArrayList<>()).add(v);
        }
        for (MorphDeformer d : rig.getDeformers()) {
            Geometry g = d.getGeometry();
            if (g == skin) {
                continue;
            }
            float[] before = restOf.get(g.getName());
            float[] after = floats(g, VertexBuffer.Type.Position);
            if (!morphed.contains(g.getName())) {
                // rigid pieces ride the crown's skin vertex: every vertex moves alike
                double spread = 0;
                for (int i = 0; i < after.length; i++) {
                    spread = Math.max(spread, Math.abs(after[i] - before[i] - (after[i % 3] - before[i % 3])));
                }
                assertTrue(spread < 1e-6, g.getName() + " moves as one piece: spread " + spread + " m");
                continue;
            }
            float[] base = floats(g, VertexBuffer.Type.TexCoord3);
            double worst = 0;
            double most = 0;
            for (int i = 0; i < g.getMesh().getVertexCount(); i++) {
                List<Integer> under = skinAt.get(key(base, i));
                assertTrue(under != null, g.getName() + " vertex " + i + " stands on a skin vertex");
                double off = Double.MAX_VALUE;
                for (int v : under) {
                    double o = 0;
                    for (int c = 0; c < 3; c++) {
                        float move = after[3 * i + c] - before[3 * i + c];
                        o = Math.max(o, Math.abs(move - (posed[3 * v + c] - rest[3 * v + c])));
                        most = Math.max(most, Math.abs(move));
                    }
                    off = Math.min(off, o);
                }
                worst = Math.max(worst, off);
            }
            System.out.printf("%s %s: moves up to %.2f mm, off its skin vertex's move by %.2g m%n", villager,
                    g.getName(), most * 1000, worst);
            assertTrue(worst < 1e-6, g.getName() + " moves as its skin: off by " + worst + " m");
            // the hair rides the head joint; blinks close the lashes, speech moves the beard
            float least = Map.of("Hair", 0f, "Beard", 0.002f, "Lashes", 0.005f).get(g.getName());
            assertTrue(most >= least, g.getName() + " moves with these expressions: " + most + " m");
        }
    }

    @Test
    void aBadGroomingFieldIsNamed() {
        ObjectMapper json = new ObjectMapper();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Grooming.read(json.readTree("{\"hair\":\"mohawk\"}")));
        assertEquals("grooming.hair: expected one of " + Grooming.HAIR + " but got 'mohawk'", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Grooming.read(json.readTree("{\"hairColor\":[1,0]}")));
        assertEquals("grooming.hairColor: expected [r, g, b] but got [1,0]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Grooming.read(json.readTree("{\"age\":2}")));
        assertEquals("grooming.age: expected 0 to 1 but got 2.0", e.getMessage());
    }

    private static String key(float[] p, int v) {
        return p[3 * v] + "," + p[3 * v + 1] + "," + p[3 * v + 2];
    }

    private static float[] floats(Geometry g, VertexBuffer.Type type) {
        FloatBuffer b = (FloatBuffer) g.getMesh().getBuffer(type).getData();
        float[] out = new float[b.limit()];
        b.get(0, out);
        return out;
    }
}
