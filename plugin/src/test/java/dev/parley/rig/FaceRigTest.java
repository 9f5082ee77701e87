package dev.parley.rig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.jme3.anim.AnimClip;
import com.jme3.anim.AnimComposer;
import com.jme3.anim.Joint;
import com.jme3.anim.MorphControl;
import com.jme3.anim.SkinningControl;
import com.jme3.anim.TransformTrack;
import com.jme3.math.FastMath;
import com.jme3.math.Quaternion;
import com.jme3.math.Vector3f;
import dev.parley.motion.FaceJoint;
import dev.parley.motion.MotionFrame;
import dev.parley.testing.SyntheticHead;
import dev.parley.testing.TestAssets;
import com.jme3.material.Material;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FaceRigTest {

    private static RigNames names(SyntheticHead head) {
        Map<FaceJoint, String> joints = new EnumMap<>(FaceJoint.class);
        joints.put(FaceJoint.JAW, "jaw");
        joints.put(FaceJoint.HEAD, "neck");
        joints.put(FaceJoint.EYE_L, "eye_L");
        joints.put(FaceJoint.EYE_R, "eye_R");
        return RigNames.of(head.targetNames, joints);
    }

    /** jME's MorphControl drops weights under 0.005, so negative weights vanished; Parley's path must not. */
    @Test
    void signedAndTinyWeightsAreAppliedExactly() {
        SyntheticHead head = SyntheticHead.create(400, 50, 7);
        FaceRig rig = FaceRig.bind(head.model, names(head));
        MotionFrame frame = new MotionFrame(50);
        Random rnd = new Random(11);
        for (int trial = 0; trial < 5; trial++) {
            float[] w = new float[50];
            for (int i = 0; i < 50; i++) {
                w[i] = (float) rnd.nextGaussian();
            }
            w[0] = -0.8f;     // negative
            w[1] = 0.001f;    // below MorphControl's cut-off
            w[2] = -0.001f;
            frame.setExpression(w);
            rig.apply(frame);
            float[] got = head.positions();
            for (int v = 0; v < got.length; v++) {
                double expected = head.base[v];
                for (int t = 0; t < 50; t++) {
                    expected += (double) w[t] * head.deltas[t][v];
                }
                assertEquals(expected, got[v], 1e-6, "vertex coordinate " + v + " in trial " + trial);
            }
        }
    }

    /** Regression: clones of one loaded model share bind-pose buffers, so one face deformed the others. */
    @Test
    void clonesOfOneModelDeformIndependently() {
        SyntheticHead head = SyntheticHead.create(200, 50, 9);
        com.jme3.scene.Node twin = (com.jme3.scene.Node) head.model.clone(true);
        FaceRig a = FaceRig.bind(head.model, names(head), MorphPath.CPU);
        FaceRig b = FaceRig.bind(twin, names(head), MorphPath.CPU);
        a.apply(new MotionFrame(50).setExpression(4, 1.5f));
        b.apply(new MotionFrame(50));
        com.jme3.scene.Geometry twinGeometry = (com.jme3.scene.Geometry) twin.getChild("SyntheticFace");
        for (com.jme3.scene.VertexBuffer.Type type : new com.jme3.scene.VertexBuffer.Type[] {
                com.jme3.scene.VertexBuffer.Type.Position, com.jme3.scene.VertexBuffer.Type.BindPosePosition}) {
            java.nio.FloatBuffer fb = (java.nio.FloatBuffer) twinGeometry.getMesh().getBuffer(type).getData();
            for (int i = 0; i < head.base.length; i++) {
                assertEquals(head.base[i], fb.get(i), 1e-7, type + " coordinate " + i + " of the untouched twin");
            }
        }
    }

    @Test
    void negativeWeightMovesOppositeToPositive() {
        SyntheticHead head = SyntheticHead.create(100, 50, 3);
        FaceRig rig = FaceRig.bind(head.model, names(head));
        MotionFrame frame = new MotionFrame(50);
        rig.apply(frame.setExpression(5, 0.5f));
        float[] plus = head.positions();
        rig.apply(frame.setExpression(5, -0.5f));
        float[] minus = head.positions();
        int moved = 0;
        for (int i = 0; i < plus.length; i++) {
            assertEquals(head.base[i] - (plus[i] - head.base[i]), minus[i], 1e-6, "coordinate " + i);
            if (head.deltas[5][i] != 0f) {
                moved++;
            }
        }
        assertTrue(moved > 0, "target 5 must move some vertices");
    }

    @Test
    void zeroWeightsRestoreTheBaseMesh() {
        SyntheticHead head = SyntheticHead.create(100, 50, 5);
        FaceRig rig = FaceRig.bind(head.model, names(head));
        MotionFrame frame = new MotionFrame(50);
        rig.apply(frame.setExpression(9, 1.3f).setExpression(40, -2f));
        rig.apply(frame.setNeutral());
        float[] got = head.positions();
        for (int i = 0; i < got.length; i++) {
            assertEquals(head.base[i], got[i], 1e-7, "coordinate " + i);
        }
    }

    @Test
    void jointRotationIsBindTimesDeltaAndNeverAccumulates() {
        SyntheticHead head = SyntheticHead.create(60, 50, 1);
        FaceRig rig = FaceRig.bind(head.model, names(head));
        Joint jaw = rig.getJoint(FaceJoint.JAW);
        Quaternion bind = jaw.getLocalRotation().clone();
        MotionFrame frame = new MotionFrame(50).setRotation(FaceJoint.JAW, 0.3f, 0f, 0f);
        Quaternion expected = bind.mult(new Quaternion().fromAngleAxis(0.3f, Vector3f.UNIT_X));
        for (int i = 0; i < 5; i++) {
            rig.apply(frame);
            assertTrue(jaw.getLocalRotation().isSimilar(expected, 1e-6f), "after apply #" + i + ": " + jaw.getLocalRotation());
        }
        rig.apply(frame.setNeutral());
        assertTrue(jaw.getLocalRotation().isSimilar(bind, 1e-6f));
    }

    @Test
    void missingMorphTargetNamesWhatWasFound() {
        SyntheticHead head = SyntheticHead.create(30, 50, 2);
        RigNames wrong = names(head).withMorphTarget(3, "lip_close");
        RigBindingException e = assertThrows(RigBindingException.class, () -> FaceRig.bind(head.model, wrong));
        assertTrue(e.getMessage().contains("'lip_close'") || e.getMessage().contains("[lip_close]"), e.getMessage());
        assertTrue(e.getMessage().contains("morph targets found: [expr00"), e.getMessage());
    }

    @Test
    void missingJointNamesWhatWasFound() {
        SyntheticHead head = SyntheticHead.create(30, 50, 2);
        RigNames wrong = names(head).withJoint(FaceJoint.JAW, "Jaw_Bone");
        RigBindingException e = assertThrows(RigBindingException.class, () -> FaceRig.bind(head.model, wrong));
        assertTrue(e.getMessage().contains("JAW joint 'Jaw_Bone'"), e.getMessage());
        assertTrue(e.getMessage().contains("joints found: [root, neck, jaw, eye_L, eye_R]"), e.getMessage());
    }

    @Test
    void undrivenJointIsLeftAlone() {
        SyntheticHead head = SyntheticHead.create(30, 50, 2);
        FaceRig rig = FaceRig.bind(head.model, names(head).withJoint(FaceJoint.EYE_L, null));
        assertNull(rig.getJoint(FaceJoint.EYE_L));
        assertNotNull(rig.getJoint(FaceJoint.EYE_R));
    }

    @Test
    void bindingRemovesMorphControl() {
        SyntheticHead head = SyntheticHead.create(30, 50, 2);
        head.geometry.setMaterial(new Material(TestAssets.assetManager(), "Common/MatDefs/Misc/Unshaded.j3md"));
        head.geometry.addControl(new MorphControl());
        FaceRig rig = FaceRig.bind(head.model, names(head));
        assertNull(head.geometry.getControl(MorphControl.class));
        // Regression: jME's own materials define a MorphWeights parameter, which once made AUTO pick the GPU path.
        assertInstanceOf(CpuMorphDeformer.class, rig.getDeformers().get(0));
    }

    /** Face joints keep working while an AnimComposer plays body animation on another joint. */
    @Test
    void worksAlongsideAnimComposer() {
        SyntheticHead head = SyntheticHead.create(60, 50, 4);
        SkinningControl skinning = head.model.getControl(SkinningControl.class);
        Joint root = skinning.getArmature().getJoint("root");
        float[] times = {0f, 1f, 2f};
        Quaternion[] rots = {new Quaternion(), new Quaternion().fromAngleAxis(0.5f, Vector3f.UNIT_Z), new Quaternion()};
        Vector3f[] trans = {root.getLocalTranslation().clone(), root.getLocalTranslation().clone(), root.getLocalTranslation().clone()};
        AnimClip sway = new AnimClip("sway");
        sway.setTracks(new TransformTrack[] {new TransformTrack(root, times, trans, rots, null)});
        AnimComposer composer = new AnimComposer();
        composer.addAnimClip(sway);
        head.model.addControl(composer);
        composer.setCurrentAction("sway");

        FaceRigControl face = FaceRigControl.attach(head.model, names(head));
        List<?> order = List.of(head.model.getControl(0), head.model.getControl(1), head.model.getControl(2));
        assertEquals(face, order.get(2), "face control must run after the AnimComposer");
        face.getFrame().setRotation(FaceJoint.JAW, 0.25f, 0f, 0f);
        for (int i = 0; i < 30; i++) {
            head.model.updateLogicalState(1f / 30f);
        }
        float rootAngle = root.getLocalRotation().toAngleAxis(new Vector3f());
        assertEquals(0.5f, rootAngle, 0.02f, "body animation drives the root joint");
        float jawAngle = face.getRig().getJoint(FaceJoint.JAW).getLocalRotation().toAngleAxis(new Vector3f());
        assertEquals(0.25f, jawAngle, 1e-5f, "face rig drives the jaw");
        assertTrue(FastMath.abs(rootAngle - jawAngle) > 0.1f);
    }
}
