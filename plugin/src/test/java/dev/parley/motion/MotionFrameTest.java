package dev.parley.motion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.jme3.math.Quaternion;
import com.jme3.math.Vector3f;
import org.junit.jupiter.api.Test;

class MotionFrameTest {

    @Test
    void axisAngleMatchesJmeAngleAxis() {
        Vector3f axis = new Vector3f(0.3f, -0.5f, 0.8f).normalizeLocal();
        float angle = 0.7f;
        Quaternion expected = new Quaternion().fromAngleAxis(angle, axis);
        Quaternion got = MotionFrame.axisAngleToQuaternion(axis.x * angle, axis.y * angle, axis.z * angle,
                new Quaternion());
        assertTrue(got.isSimilar(expected, 1e-6f), got + " vs " + expected);
        assertTrue(MotionFrame.axisAngleToQuaternion(0, 0, 0, new Quaternion()).isIdentity());
    }

    @Test
    void interpolationBlendsEveryValue() {
        MotionFrame a = new MotionFrame(4).setExpression(1, 1f).setRotation(FaceJoint.JAW, 0.2f, 0f, 0f);
        MotionFrame b = new MotionFrame(4).setExpression(1, -1f).setRotation(FaceJoint.JAW, 0.4f, 0f, 0.1f);
        MotionFrame m = new MotionFrame(4).interpolate(a, b, 0.25f);
        assertEquals(0.5f, m.expression(1), 1e-6f);
        Vector3f jaw = m.getRotation(FaceJoint.JAW, new Vector3f());
        assertEquals(0.25f, jaw.x, 1e-6f);
        assertEquals(0.025f, jaw.z, 1e-6f);
    }

    @Test
    void incompatibleFramesAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new MotionFrame(50).set(new MotionFrame(49)));
        assertEquals("other has 49 expression weights but this frame has 50", e.getMessage());
    }

    @Test
    void finiteCheck() {
        MotionFrame f = new MotionFrame(3);
        assertTrue(f.isFinite());
        f.setRotation(FaceJoint.HEAD, Float.NaN, 0, 0);
        assertFalse(f.isFinite());
    }
}
