package dev.parley.rig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.jme3.scene.Geometry;
import com.jme3.scene.Spatial;
import com.jme3.scene.VertexBuffer;
import com.jme3.scene.mesh.MorphTarget;
import dev.parley.testing.TestAssets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The committed second test character (models: {@code python3 -m parley arkit-character}) loads through jME's
 * glTF loader with its 52 ARKit-named morph targets and no skin.
 */
class ArkitHeadAssetTest {

    private static final List<String> ARKIT = List.of(
            "eyeBlinkLeft", "eyeLookDownLeft", "eyeLookInLeft", "eyeLookOutLeft", "eyeLookUpLeft", "eyeSquintLeft",
            "eyeWideLeft", "eyeBlinkRight", "eyeLookDownRight", "eyeLookInRight", "eyeLookOutRight",
            "eyeLookUpRight", "eyeSquintRight", "eyeWideRight", "jawForward", "jawLeft", "jawRight", "jawOpen",
            "mouthClose", "mouthFunnel", "mouthPucker", "mouthLeft", "mouthRight", "mouthSmileLeft",
            "mouthSmileRight", "mouthFrownLeft", "mouthFrownRight", "mouthDimpleLeft", "mouthDimpleRight",
            "mouthStretchLeft", "mouthStretchRight", "mouthRollLower", "mouthRollUpper", "mouthShrugLower",
            "mouthShrugUpper", "mouthPressLeft", "mouthPressRight", "mouthLowerDownLeft", "mouthLowerDownRight",
            "mouthUpperUpLeft", "mouthUpperUpRight", "browDownLeft", "browDownRight", "browInnerUp",
            "browOuterUpLeft", "browOuterUpRight", "cheekPuff", "cheekSquintLeft", "cheekSquintRight",
            "noseSneerLeft", "noseSneerRight", "tongueOut");

    @Test
    void loadsWithTheArkitMorphTargetsByName() {
        Spatial model = TestAssets.assetManager().loadModel("Models/ArkitHead/ArkitHead.glb");
        List<Geometry> geometries = new ArrayList<>();
        model.depthFirstTraversal(s -> {
            if (s instanceof Geometry g) {
                geometries.add(g);
            }
        });
        assertEquals(1, geometries.size());
        Geometry g = geometries.get(0);
        MorphTarget[] targets = g.getMesh().getMorphTargets();
        List<String> names = new ArrayList<>();
        for (MorphTarget t : targets) {
            names.add(t.getName());
        }
        assertEquals(ARKIT, names);
        assertEquals(null, g.getMesh().getBuffer(VertexBuffer.Type.BoneIndex), "a plain mesh: no skin");
        int vertices = g.getMesh().getVertexCount();
        assertTrue(vertices > 1000 && vertices < 2000, "vertices " + vertices);
        // jawOpen moves something by more than a centimetre; tongueOut moves nothing
        assertTrue(maxOffset(targets[ARKIT.indexOf("jawOpen")]) > 0.01f);
        assertEquals(0f, maxOffset(targets[ARKIT.indexOf("tongueOut")]));
    }

    private static float maxOffset(MorphTarget t) {
        java.nio.FloatBuffer b = t.getBuffer(VertexBuffer.Type.Position);
        float max = 0f;
        for (int i = 0; i < b.limit(); i++) {
            max = Math.max(max, Math.abs(b.get(i)));
        }
        return max;
    }
}
