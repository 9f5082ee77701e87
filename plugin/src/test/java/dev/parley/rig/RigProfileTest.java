package dev.parley.rig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
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
import dev.parley.util.AssetFormatException;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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

    /** A binary glTF holding only a JSON chunk (all {@link VrmExpressions} reads). */
    private static ByteArrayInputStream glb(String json) {
        byte[] text = json.getBytes(StandardCharsets.UTF_8);
        int padded = (text.length + 3) & ~3;
        ByteBuffer b = ByteBuffer.allocate(20 + padded).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0x46546C67).putInt(2).putInt(20 + padded).putInt(padded).putInt(0x4E4F534A).put(text);
        while (b.hasRemaining()) {
            b.put((byte) ' ');
        }
        return new ByteArrayInputStream(b.array());
    }

    private static final String VRM = "{\"nodes\": [{\"name\": \"root\"}, {\"mesh\": 0}],"
            + " \"meshes\": [{\"extras\": {\"targetNames\": [\"Fcl_MTH_A\", \"Fcl_MTH_O\"]}}],"
            + " \"extensions\": {\"VRMC_vrm\": {\"expressions\": {\"preset\": {"
            + "\"aa\": {\"morphTargetBinds\": [{\"node\": 1, \"index\": 0, \"weight\": 0.5},"
            + " {\"node\": 1, \"index\": 1, \"weight\": 1.0}]},"
            + " \"oh\": {\"morphTargetBinds\": [{\"node\": 1, \"index\": INDEX, \"weight\": 1.0}]},"
            + " \"blink\": {\"morphTargetBinds\": []}}}}}}";

    @Test
    void vrmPresetsDriveTheMorphTargetsTheirBindsNameWithTheirWeights() {
        RetargetSet vrm10 = RetargetSet.load(TestAssets.assets().resolve("Retargets/vrm10.retarget.json"));
        VrmExpressions expressions = VrmExpressions.read(glb(VRM.replace("INDEX", "1")), "npc.vrm");
        assertEquals(List.of(new VrmExpressions.Bind("Fcl_MTH_A", 0.5f), new VrmExpressions.Bind("Fcl_MTH_O", 1f)),
                expressions.presets().get("aa"));
        Geometry face = face("Fcl_MTH_A", "Fcl_MTH_O");
        try (LogCapture log = LogCapture.of(FaceRig.class)) {
            FaceRig rig = FaceRig.bind(model("Vrm", face), RigProfile.vrm(vrm10, expressions), layout);
            MotionFrame frame = openJaw();
            float[] w = new Retargeter(vrm10, layout).solve(frame).clone();
            rig.apply(frame);
            float aa = w[vrm10.targetNames().indexOf("aa")];
            float oh = w[vrm10.targetNames().indexOf("oh")];
            assertTrue(aa + oh > 0.1f, "the open jaw is an open vowel: aa " + aa + ", oh " + oh);
            // Fcl_MTH_A (1 cm) at 0.5 aa; Fcl_MTH_O (2 cm) at aa + oh.
            assertEquals(0.01f * (0.5f * aa) + 0.02f * (aa + oh), -y(face, 0), 1e-6f);
            String text = LogCapture.text(log.records(Level.WARNING).get(0));
            assertTrue(text.contains("blink,") && !text.contains("aa,") && !text.contains("[aa"), text);
        }
        AssetFormatException bad = assertThrows(AssetFormatException.class,
                () -> VrmExpressions.read(glb(VRM.replace("INDEX", "2")), "npc.vrm"));
        assertEquals("npc.vrm: field 'extensions.VRMC_vrm.expressions.preset.oh.morphTargetBinds[0].index' expected"
                + " an index in [0, 2) but got 2", bad.getMessage());
        AssetFormatException notGlb = assertThrows(AssetFormatException.class,
                () -> VrmExpressions.read(new ByteArrayInputStream(new byte[40]), "x.png"));
        assertTrue(notGlb.getMessage().contains("expected a binary glTF"), notGlb.getMessage());
    }

    @Test
    void theCommittedVrmFixtureBindsThroughItsPresets() throws Exception {
        RetargetSet vrm10 = RetargetSet.load(TestAssets.assets().resolve("Retargets/vrm10.retarget.json"));
        Path file = TestAssets.assets().resolve("Models/VrmHead/VrmHead.vrm.glb");
        VrmExpressions expressions;
        try (InputStream in = Files.newInputStream(file)) {
            expressions = VrmExpressions.read(in, file.getFileName().toString());
        }
        assertEquals(vrm10.targetNames(), List.copyOf(expressions.presets().keySet()));
        Spatial model;
        try (LogCapture gltf = LogCapture.of("com.jme3.scene.plugins.gltf")) {
            model = TestAssets.assetManager().loadModel("Models/VrmHead/VrmHead.vrm.glb");
            gltf.assertLogged(Level.WARNING, "Could not find loader for extension VRMC_vrm"); // jME's, harmless
        }
        try (LogCapture log = LogCapture.of(FaceRig.class)) {
            FaceRig rig = FaceRig.bind(model, RigProfile.vrm(vrm10, expressions), layout);
            log.assertNone(Level.WARNING);
            rig.apply(openJaw());
            float aa = rig.getAppliedWeights()[vrm10.targetNames().indexOf("aa")];
            assertTrue(aa > 0.1f, "aa " + aa);
        }
    }

    @Test
    void aClonedCharacterGetsARetargeterAndAFaceOfItsOwn() {
        Geometry face = face("jawOpen");
        Node model = model("Arkit", face);
        float rest = y(face, 0);
        FaceRigControl control;
        try (LogCapture log = LogCapture.of(FaceRig.class)) {
            control = FaceRigControl.attach(model, RigProfile.of(arkit), layout);
            Node copy = (Node) model.clone();
            assertEquals(1, log.records(Level.WARNING).size(), "reported at bind, not again by the clone");
            FaceRigControl copied = copy.getControl(FaceRigControl.class);
            assertNotSame(control.getRig().getRetargeter(), copied.getRig().getRetargeter());
            control.getFrame().setRotation(FaceJoint.JAW, 0.25f, 0f, 0f);
            control.update(0.016f);
            copied.update(0.016f);
            assertTrue(y(face, 0) < rest - 0.001f, "the original opened: " + y(face, 0));
            assertEquals(rest, y((Geometry) copy.getChild("Face"), 0), 1e-6f, "the clone rests");
        }
    }

    @Test
    void aModelWithNoneOfTheTargetsIsRefusedNamingWhatItHas() {
        RigBindingException e = assertThrows(RigBindingException.class,
                () -> FaceRig.bind(model("Bare", face("smile", "frown")), RigProfile.of(arkit), layout));
        assertTrue(e.getMessage().contains("morph targets found: [smile, frown]"), e.getMessage());
    }
}
