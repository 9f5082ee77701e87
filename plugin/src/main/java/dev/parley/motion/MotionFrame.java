package dev.parley.motion;

import com.jme3.math.FastMath;
import com.jme3.math.Quaternion;
import com.jme3.math.Vector3f;
import dev.parley.util.Validate;
import java.util.Arrays;

/**
 * One frame of face state: signed expression weights and an axis-angle rotation per {@link FaceJoint},
 * relative to the bind pose. A neutral frame has all zeros.
 *
 * <p>Mutable and not thread-safe: a frame is owned by one thread at a time. Hand frames across
 * threads by copying ({@link #set(MotionFrame)}), never by sharing.
 */
public final class MotionFrame {

    private final float[] expression;
    private final float[] rotations = new float[FaceJoint.values().length * 3];

    /**
     * Creates a neutral frame.
     *
     * @param expressionCount the number of expression weights (&ge;0, 50 for FLAME-structured heads)
     */
    public MotionFrame(int expressionCount) {
        Validate.inRange(expressionCount, 0, 4096, "expressionCount");
        expression = new float[expressionCount];
    }

    /** @return the number of expression weights */
    public int expressionCount() {
        return expression.length;
    }

    /**
     * @param index the component index (in [0, expressionCount))
     * @return the signed weight
     */
    public float expression(int index) {
        return expression[index];
    }

    /**
     * @param index the component index (in [0, expressionCount))
     * @param weight the signed weight (finite)
     * @return this frame, for chaining
     */
    public MotionFrame setExpression(int index, float weight) {
        expression[index] = weight;
        return this;
    }

    /**
     * Copies all expression weights into an array.
     *
     * @param store the destination (not null, length expressionCount, modified)
     * @return {@code store}
     */
    public float[] getExpression(float[] store) {
        Validate.length(store, expression.length, "store");
        System.arraycopy(expression, 0, store, 0, expression.length);
        return store;
    }

    /**
     * Sets all expression weights.
     *
     * @param weights the weights (not null, length expressionCount, unaffected)
     * @return this frame, for chaining
     */
    public MotionFrame setExpression(float[] weights) {
        Validate.length(weights, expression.length, "weights");
        System.arraycopy(weights, 0, expression, 0, expression.length);
        return this;
    }

    /**
     * @param joint which joint (not null)
     * @param store the axis-angle destination (not null, modified)
     * @return {@code store}
     */
    public Vector3f getRotation(FaceJoint joint, Vector3f store) {
        int o = joint.ordinal() * 3;
        return store.set(rotations[o], rotations[o + 1], rotations[o + 2]);
    }

    /**
     * Sets a joint's axis-angle rotation relative to its bind pose (radians; direction = axis).
     *
     * @param joint which joint (not null)
     * @param x the x component
     * @param y the y component
     * @param z the z component
     * @return this frame, for chaining
     */
    public MotionFrame setRotation(FaceJoint joint, float x, float y, float z) {
        int o = joint.ordinal() * 3;
        rotations[o] = x;
        rotations[o + 1] = y;
        rotations[o + 2] = z;
        return this;
    }

    /**
     * Converts a joint's axis-angle rotation to a quaternion.
     *
     * @param joint which joint (not null)
     * @param store the destination (not null, modified)
     * @return {@code store}
     */
    public Quaternion getQuaternion(FaceJoint joint, Quaternion store) {
        int o = joint.ordinal() * 3;
        return axisAngleToQuaternion(rotations[o], rotations[o + 1], rotations[o + 2], store);
    }

    /**
     * Copies another frame into this one.
     *
     * @param other the source (not null, same expression count, unaffected)
     * @return this frame, for chaining
     */
    public MotionFrame set(MotionFrame other) {
        checkCompatible(other, "other");
        System.arraycopy(other.expression, 0, expression, 0, expression.length);
        System.arraycopy(other.rotations, 0, rotations, 0, rotations.length);
        return this;
    }

    /**
     * Resets to the neutral pose (all zeros).
     *
     * @return this frame
     */
    public MotionFrame setNeutral() {
        Arrays.fill(expression, 0f);
        Arrays.fill(rotations, 0f);
        return this;
    }

    /**
     * Sets this frame to a blend of two frames: {@code (1-t)*a + t*b}, component-wise. Linear blending of
     * axis-angle vectors is accurate for the small rotations of faces (well under 45 degrees).
     *
     * @param a the frame at t=0 (not null, unaffected; may be this)
     * @param b the frame at t=1 (not null, unaffected; may be this)
     * @param t the blend factor (usually in [0,1])
     * @return this frame, for chaining
     */
    public MotionFrame interpolate(MotionFrame a, MotionFrame b, float t) {
        checkCompatible(a, "a");
        checkCompatible(b, "b");
        float s = 1f - t;
        for (int i = 0; i < expression.length; i++) {
            expression[i] = s * a.expression[i] + t * b.expression[i];
        }
        for (int i = 0; i < rotations.length; i++) {
            rotations[i] = s * a.rotations[i] + t * b.rotations[i];
        }
        return this;
    }

    /** @return true if every value is finite */
    public boolean isFinite() {
        for (float v : expression) {
            if (!Float.isFinite(v)) {
                return false;
            }
        }
        for (float v : rotations) {
            if (!Float.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Converts an axis-angle vector (radians, direction = axis) to a quaternion.
     *
     * @param x the x component
     * @param y the y component
     * @param z the z component
     * @param store the destination (not null, modified)
     * @return {@code store}
     */
    public static Quaternion axisAngleToQuaternion(float x, float y, float z, Quaternion store) {
        float angle = FastMath.sqrt(x * x + y * y + z * z);
        if (angle < 1e-8f) {
            // First-order expansion keeps tiny rotations exact to float precision.
            return store.set(0.5f * x, 0.5f * y, 0.5f * z, 1f).normalizeLocal();
        }
        float s = FastMath.sin(0.5f * angle) / angle;
        return store.set(x * s, y * s, z * s, FastMath.cos(0.5f * angle));
    }

    private void checkCompatible(MotionFrame other, String name) {
        Validate.nonNull(other, name);
        if (other.expression.length != expression.length) {
            throw new IllegalArgumentException(name + " has " + other.expression.length
                    + " expression weights but this frame has " + expression.length);
        }
    }

    @Override
    public String toString() {
        return "MotionFrame[expression=" + Arrays.toString(expression) + ", rotations=" + Arrays.toString(rotations)
                + "]";
    }
}
