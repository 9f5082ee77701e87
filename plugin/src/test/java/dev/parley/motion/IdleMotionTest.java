package dev.parley.motion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.jme3.math.Vector3f;
import org.junit.jupiter.api.Test;

class IdleMotionTest {

    @Test
    void blinksAtAHumanRate() {
        IdleMotion idle = new IdleMotion(3, 23, 24, 0);
        MotionFrame f = new MotionFrame(50);
        int blinks = 0;
        boolean closed = false;
        for (int i = 0; i < 600 * 60; i++) { // ten minutes at 60 fps
            idle.update(1f / 60f, f);
            boolean now = f.expression(23) > 0.5f;
            if (now && !closed) {
                blinks++;
            }
            closed = now;
        }
        float perMinute = blinks / 10f;
        assertTrue(perMinute > 10 && perMinute < 25, "blinks per minute: " + perMinute);
    }

    @Test
    void headAndEyesMoveSmoothlyAndStaySmall() {
        IdleMotion idle = new IdleMotion(5, 23, 24, 0);
        MotionFrame f = new MotionFrame(50);
        Vector3f head = new Vector3f();
        Vector3f last = null;
        float maxAngle = 0f;
        float maxStep = 0f;
        for (int i = 0; i < 60 * 60; i++) {
            idle.update(1f / 60f, f);
            f.getRotation(FaceJoint.HEAD, head);
            maxAngle = Math.max(maxAngle, head.length());
            if (last != null) {
                maxStep = Math.max(maxStep, head.distance(last));
            }
            last = head.clone();
            assertTrue(f.isFinite());
        }
        assertTrue(maxAngle < Math.toRadians(2.5), "head angle " + Math.toDegrees(maxAngle) + " deg");
        assertTrue(maxStep < Math.toRadians(0.1), "head step per frame " + Math.toDegrees(maxStep) + " deg");
    }

    @Test
    void deterministicForASeed() {
        float[] a = run(11);
        float[] b = run(11);
        assertArrayEquals(a, b);
    }

    private static float[] run(long seed) {
        IdleMotion idle = new IdleMotion(seed, 23, 24, 0);
        MotionFrame f = new MotionFrame(50);
        for (int i = 0; i < 1000; i++) {
            idle.update(1f / 60f, f);
        }
        return f.getExpression(new float[50]);
    }
}
