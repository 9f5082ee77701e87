package dev.parley.rig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.jme3.anim.Armature;
import com.jme3.anim.Joint;
import com.jme3.anim.SkinningControl;
import com.jme3.math.Quaternion;
import com.jme3.math.Vector3f;
import com.jme3.scene.Geometry;
import com.jme3.scene.Node;
import com.jme3.scene.Spatial;
import dev.parley.head.HeadSpec;
import dev.parley.head.MotionLayout;
import dev.parley.motion.FaceJoint;
import dev.parley.motion.MotionFrame;
import dev.parley.retarget.RetargetSet;
import dev.parley.retarget.Retargeter;
import dev.parley.testing.LogCapture;
import dev.parley.testing.MorphStrip;
import dev.parley.testing.TestAssets;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Binding characters that are not FLAME-structured through a {@link RigProfile}, on meshes built here. */
class RigProfileTest {

    private static MotionLayout layout;
    private static RetargetSet arkit;
    private static RetargetSet visemes;

    @BeforeAll
    static void load() {
        layout = HeadSpec.load(TestAssets.assetManager(), TestAssets.HEAD_SPEC).motionLayout();
        arkit = RetargetSet.load(TestAssets.assets().resolve("Retargets/arkit52.retarget.json"));
        visemes = RetargetSet.load(TestAssets.assets().resolve("Retargets/oculus15.retarget.json"));
    }

    private static Geometry face(String... targets) {
        return MorphStrip.create(targets);
    }

    private static Node model(String name, Geometry face) {
        Node model = new Node(name);
        model.attachChild(face);
        return model;
    }

    private static MotionFrame openJaw() {
        MotionFrame frame = new MotionFrame(layout.slice("expression").size());
        frame.setRotation(FaceJoint.JAW, 0.25f, 0f, 0f);
        return frame;
    }

    private static float y(Geometry g, int vertex) {
        return MorphStrip.y(g, vertex);
    }

    @Test
    void anOpenJawSetsJawOpenAsTheRetargeterSolvesIt() {
        Geometry face = face("jawOpen", "mouthClose", "eyeBlinkLeft", "Mouth_Wide");
        Spatial model = model("ArkitStrip", face);
        FaceRig rig;
        try (LogCapture log = LogCapture.of(FaceRig.class)) {
            rig = FaceRig.bind(model, RigProfile.of(arkit), layout);
        }
        MotionFrame frame = openJaw();
        float[] expected = new Retargeter(arkit, layout).solve(frame).clone();
        int jawOpen = arkit.targetNames().indexOf("jawOpen");
        assertTrue(expected[jawOpen] > 0.1f, "the retarget opens jawOpen for a 0.25 rad jaw: " + expected[jawOpen]);

        float rest = y(face, 0);
        rig.apply(frame);
        float[] applied = rig.getAppliedWeights();
        assertEquals(expected[jawOpen], applied[jawOpen], 0f);
        assertEquals(expected[arkit.targetNames().indexOf("mouthClose")],
                applied[arkit.targetNames().indexOf("mouthClose")], 0f);
        // The mesh moved by the three bound targets' weights times their deltas (1, 2, 3 cm down).
        float drop = 0.01f * expected[jawOpen] + 0.02f * expected[arkit.targetNames().indexOf("mouthClose")]
                + 0.03f * expected[arkit.targetNames().indexOf("eyeBlinkLeft")];
        assertTrue(drop > 0.001f, "drop " + drop);
        assertEquals(rest - drop, y(face, 0), 1e-6f);

        rig.apply(new MotionFrame(frame.expressionCount()));
        assertEquals(rest, y(face, 0), 1e-6f, "a neutral frame rests the face");
    }

    @Test
    void missingTargetsAreReportedOnceByNameWithWhatTheModelHas() {
        Spatial model = model("ArkitStrip", face("jawOpen", "mouthClose", "eyeBlinkLeft", "Mouth_Wide"));
        try (LogCapture log = LogCapture.of(FaceRig.class)) {
            FaceRig rig = FaceRig.bind(model, RigProfile.of(arkit), layout);
            for (int i = 0; i < 5; i++) {
                rig.apply(openJaw());
            }
            Spatial clone = model.clone();
            assertNotNull(clone);
            List<LogRecord> warnings = log.records(Level.WARNING);
            assertEquals(1, warnings.size(), "one warning: " + log.messages(Level.WARNING));
            String text = LogCapture.text(warnings.get(0));
            assertTrue(text.contains("49 of the 52 targets of retarget set arkit52"), text);
            assertTrue(text.contains("mouthFunnel") && text.contains("tongueOut"), text);
            assertTrue(!text.contains("jawOpen,") && !text.contains("[jawOpen"), text);
            assertTrue(text.contains("its unbound morph targets: [Mouth_Wide]"), text);
        }
    }

    @Test
    void vendorVariantsBindByNormalizedName() {
        assertEquals("mouthsmileleft", RigProfile.normalize("Mouth_Smile_L"));
        assertEquals("mouthsmileleft", RigProfile.normalize("blendShape1.mouthSmile_L"));
        assertEquals("browinnerup", RigProfile.normalize("A01_Brow_Inner_Up"));
        assertEquals("pp", RigProfile.normalize("viseme_PP"));
        Geometry face = face("blendShape1.JawOpen", "Eye_Blink_R", "Mouth_Smile_L");
        try (LogCapture log = LogCapture.of(FaceRig.class)) {
            FaceRig rig = FaceRig.bind(model("Vendor", face), RigProfile.of(arkit), layout);
            rig.apply(openJaw());
            assertTrue(rig.getAppliedWeights()[arkit.targetNames().indexOf("jawOpen")] > 0.1f);
            assertTrue(y(face, 0) < -0.001f, "the JawOpen target moved the mesh: " + y(face, 0));
            String text = LogCapture.text(log.records(Level.WARNING).get(0));
            assertTrue(text.contains("49 of the 52") && !text.contains("eyeBlinkRight,"), text);
        }
    }

    @Test
    void readyPlayerMeVisemesAndNamesGivenInCode() {
        String[] rpm = {"viseme_sil", "viseme_PP", "viseme_FF", "viseme_TH", "viseme_DD", "viseme_kk", "viseme_CH",
            "viseme_SS", "viseme_nn", "viseme_RR", "viseme_aa", "viseme_E", "viseme_I", "viseme_O", "viseme_U"};
        try (LogCapture log = LogCapture.of(FaceRig.class)) {
            FaceRig rig = FaceRig.bind(model("Rpm", face(rpm)), RigProfile.of(visemes), layout);
            rig.apply(openJaw());
            log.assertNone(Level.WARNING);
            float sum = 0f;
            for (float w : rig.getAppliedWeights()) {
                sum += w;
            }
            assertEquals(1f, sum, 1e-4f, "a convex mix with its rest target");

            Geometry custom = face("OpenWide");
            RigProfile profile = RigProfile.of(arkit, Map.of("jawOpen", "OpenWide"));
            FaceRig named = FaceRig.bind(model("Custom", custom), profile, layout);
            named.apply(openJaw());
            assertTrue(y(custom, 0) < -0.001f, "OpenWide carries jawOpen: " + y(custom, 0));
        }
        assertThrows(IllegalArgumentException.class, () -> RigProfile.of(arkit, Map.of("jawOpn", "x")));
    }

    @Test
    void aJawJointCarriesTheJawAndTheJawShapesRest() {
        Geometry face = face("jawOpen", "mouthClose");
        Node model = model("Jawed", face);
        Joint root = new Joint("Head");
        Joint jaw = new Joint("mixamorig:Jaw");
        jaw.setLocalRotation(new Quaternion().fromAngles(0f, 0.7f, 0f)); // its own axes differ from the model's
        root.addChild(jaw);
        Armature armature = new Armature(new Joint[] {root, jaw});
        armature.update();
        armature.saveBindPose();
        armature.saveInitialPose();
        model.addControl(new SkinningControl(armature));
        try (LogCapture log = LogCapture.of(FaceRig.class)) {
            FaceRig rig = FaceRig.bind(model, RigProfile.of(arkit), layout);
            assertEquals(jaw, rig.getJoint(FaceJoint.JAW));
            assertEquals(root, rig.getJoint(FaceJoint.HEAD));
            assertNull(rig.getJoint(FaceJoint.EYE_L));
            rig.apply(openJaw());
            assertEquals(0f, rig.getAppliedWeights()[arkit.targetNames().indexOf("jawOpen")], 0f);
            // The jaw turned 0.25 rad about the model's x axis, whatever its bind axes.
            Quaternion turned = jaw.getModelTransform().getRotation()
                    .mult(jaw.getInitialTransform().getRotation().inverse());
            Vector3f axis = new Vector3f();
            float angle = turned.toAngleAxis(axis);
            assertEquals(0.25f, angle, 1e-4f);
            assertEquals(1f, Math.abs(axis.x), 1e-4f, "axis " + axis);
        }
    }

    @Test
    void aModelWithNoneOfTheTargetsIsRefusedNamingWhatItHas() {
        RigBindingException e = assertThrows(RigBindingException.class,
                () -> FaceRig.bind(model("Bare", face("smile", "frown")), RigProfile.of(arkit), layout));
        assertTrue(e.getMessage().contains("morph targets found: [smile, frown]"), e.getMessage());
    }
}
