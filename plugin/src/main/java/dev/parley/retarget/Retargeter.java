package dev.parley.retarget;

import com.jme3.math.Vector3f;
import dev.parley.head.HeadSpec;
import dev.parley.head.MotionLayout;
import dev.parley.motion.FaceJoint;
import dev.parley.motion.MotionFrame;
import dev.parley.util.AssetFormatException;
import dev.parley.util.Validate;
import java.util.Arrays;

/**
 * Solves Parley motion frames into a {@link RetargetSet}'s weights, as {@code models/parley/retarget/solve.py}
 * does, in float64: the frame's features {@code phi} (expression weights, jaw axis-angle, its quadratic terms,
 * expression weights times the jaw's opening angle), {@code c = C phi}, {@code w = P(A phi)}, then the set's
 * fixed number of FISTA steps {@code w' = P(y - step (G y - c))} with Nesterov momentum, {@code P} the set's
 * projection. Head pose and eyes are not inputs.
 *
 * <p>Allocation-free per frame: every buffer is owned by this retargeter, and <b>the returned array is owned
 * by this retargeter and overwritten by the next call</b>. Not thread-safe: one retargeter per thread (the set
 * itself is shared).
 */
public final class Retargeter {

    private final RetargetSet set;
    private final int expressionOffset;
    private final int jawOffset;
    private final int expressionCount;
    private final int k;
    private final int features;
    private final double[] a;
    private final double[] cMatrix;
    private final double[] g;
    private final int[] active;
    private final double[] phi;
    private final double[] c;
    private final double[] w;
    private final double[] next;
    private final double[] y;
    private final double[] sorted;
    private final float[] weights;
    private final Vector3f jaw = new Vector3f();

    /**
     * @param set the target set (not null)
     * @param layout the layout of the motion the frames come from (not null; its expression slice must be as
     *     long as the set's and it must have a 3-value {@code jaw} slice)
     * @throws AssetFormatException if the set was made for another motion layout
     */
    public Retargeter(RetargetSet set, MotionLayout layout) {
        this.set = Validate.nonNull(set, "set");
        Validate.nonNull(layout, "layout");
        MotionLayout.Slice expression = layout.slice("expression");
        MotionLayout.Slice jawSlice = layout.slice("jaw");
        if (layout.dim() != set.motionDim() || expression.size() != set.expressionNames().size()
                || jawSlice.size() != 3) {
            throw new AssetFormatException(set.source(), "input", "expected motion of " + layout.dim()
                    + " values with " + expression.size() + " expression weights (the layout's) but the set was "
                    + "made for " + set.motionDim() + " values with " + set.expressionNames().size());
        }
        expressionOffset = expression.offset();
        expressionCount = expression.size();
        jawOffset = jawSlice.offset();
        k = set.activeTargets().length;
        features = set.featureCount();
        a = set.a();
        cMatrix = set.c();
        g = set.g();
        active = set.activeTargets();
        phi = new double[features];
        c = new double[k];
        w = new double[k];
        next = new double[k];
        y = new double[k];
        sorted = new double[k];
        weights = new float[set.targetCount()];
    }

    /**
     * A retargeter for a head's motion, checking also that the set's features name the head's expression
     * components in the head's order.
     *
     * @param set the target set (not null)
     * @param spec the head whose motion frames are solved (not null)
     * @throws AssetFormatException if the set was made for another layout or other components
     */
    public Retargeter(RetargetSet set, HeadSpec spec) {
        this(set, Validate.nonNull(spec, "spec").motionLayout());
        if (!spec.expressionNames().equals(set.expressionNames())) {
            throw new AssetFormatException(set.source(), "input.features", "expected the expression components of "
                    + spec.source() + " " + spec.expressionNames() + " but got " + set.expressionNames());
        }
    }

    /** @return the target set (not null) */
    public RetargetSet set() {
        return set;
    }

    /**
     * Solves one frame.
     *
     * @param frame the motion frame (not null, unaffected; as many expression weights as the layout's)
     * @return the weights in {@link RetargetSet#targetNames()} order (owned by this retargeter and overwritten by
     *     the next call)
     */
    public float[] solve(MotionFrame frame) {
        Validate.nonNull(frame, "frame");
        if (frame.expressionCount() != expressionCount) {
            throw new IllegalArgumentException("frame has " + frame.expressionCount()
                    + " expression weights but the layout has " + expressionCount);
        }
        for (int i = 0; i < expressionCount; i++) {
            phi[i] = frame.expression(i);
        }
        frame.getRotation(FaceJoint.JAW, jaw);
        return solveFeatures(jaw.x, jaw.y, jaw.z);
    }

    /**
     * Solves one motion vector, read through the layout.
     *
     * @param motion motion vectors (not null, unaffected)
     * @param offset where the frame starts in {@code motion} (a whole frame of the layout's length must fit)
     * @return the weights in {@link RetargetSet#targetNames()} order (owned by this retargeter and overwritten by
     *     the next call)
     */
    public float[] solve(float[] motion, int offset) {
        Validate.nonNull(motion, "motion");
        if (offset < 0 || offset + set.motionDim() > motion.length) {
            throw new IllegalArgumentException("cannot take a frame of " + set.motionDim() + " values at offset "
                    + offset + " from " + motion.length + " values");
        }
        for (int i = 0; i < expressionCount; i++) {
            phi[i] = motion[offset + expressionOffset + i];
        }
        int j = offset + jawOffset;
        return solveFeatures(motion[j], motion[j + 1], motion[j + 2]);
    }

    /** phi's expression entries are set; the jaw terms follow (the order {@link RetargetSet#JAW_FEATURES}). */
    private float[] solveFeatures(double jx, double jy, double jz) {
        int e = expressionCount;
        phi[e] = jx;
        phi[e + 1] = jy;
        phi[e + 2] = jz;
        phi[e + 3] = jx * jx;
        phi[e + 4] = jy * jy;
        phi[e + 5] = jz * jz;
        phi[e + 6] = jx * jy;
        phi[e + 7] = jx * jz;
        phi[e + 8] = jy * jz;
        int q = e + RetargetSet.JAW_FEATURES.size();
        for (int i = 0; i < e; i++) {
            phi[q + i] = phi[i] * jx;
        }
        for (int i = 0; i < k; i++) {
            c[i] = dot(cMatrix, i * features, phi, features);
            w[i] = dot(a, i * features, phi, features);
        }
        project(w);
        System.arraycopy(w, 0, y, 0, k);
        double step = set.step();
        double t = 1.0;
        for (int it = set.iterations(); it > 0; it--) {
            for (int i = 0; i < k; i++) {
                next[i] = y[i] - step * (dot(g, i * k, y, k) - c[i]);
            }
            project(next);
            double tNext = (1.0 + Math.sqrt(1.0 + 4.0 * t * t)) / 2.0;
            double momentum = (t - 1.0) / tNext;
            for (int i = 0; i < k; i++) {
                y[i] = next[i] + momentum * (next[i] - w[i]);
            }
            System.arraycopy(next, 0, w, 0, k);
            t = tNext;
        }
        Arrays.fill(weights, 0f);
        double sum = 0.0;
        for (int i = 0; i < k; i++) {
            weights[active[i]] = (float) w[i];
            sum += w[i];
        }
        if (set.restIndex() >= 0) {
            weights[set.restIndex()] = (float) Math.max(1.0 - sum, 0.0);
        }
        return weights;
    }

    /** Four partial sums: the adds pipeline instead of waiting on one chain (sums differ by rounding only). */
    private static double dot(double[] matrix, int row, double[] v, int n) {
        double s0 = 0.0;
        double s1 = 0.0;
        double s2 = 0.0;
        double s3 = 0.0;
        int j = 0;
        for (; j + 3 < n; j += 4) {
            s0 += matrix[row + j] * v[j];
            s1 += matrix[row + j + 1] * v[j + 1];
            s2 += matrix[row + j + 2] * v[j + 2];
            s3 += matrix[row + j + 3] * v[j + 3];
        }
        for (; j < n; j++) {
            s0 += matrix[row + j] * v[j];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** Euclidean projection onto the set's constraint, in place (solve.py's {@code project}). */
    private void project(double[] v) {
        if (set.projection() == RetargetSet.Projection.BOX) {
            for (int i = 0; i < k; i++) {
                v[i] = Math.min(Math.max(v[i], 0.0), 1.0);
            }
            return;
        }
        double positive = 0.0;
        for (int i = 0; i < k; i++) {
            positive += Math.max(v[i], 0.0);
        }
        if (positive <= 1.0) {
            for (int i = 0; i < k; i++) {
                v[i] = Math.max(v[i], 0.0);
            }
            return;
        }
        // Onto the simplex: rho = how many of u (descending) satisfy u_k - (cumsum_k - 1) / k > 0.
        System.arraycopy(v, 0, sorted, 0, k);
        Arrays.sort(sorted);
        double cumsum = 0.0;
        int rho = 0;
        for (int i = 1; i <= k; i++) {
            double u = sorted[k - i];
            cumsum += u;
            rho += u - (cumsum - 1.0) / i > 0 ? 1 : 0;
        }
        cumsum = 0.0;
        for (int i = 1; i <= rho; i++) {
            cumsum += sorted[k - i];
        }
        double tau = (cumsum - 1.0) / rho;
        for (int i = 0; i < k; i++) {
            v[i] = Math.max(v[i] - tau, 0.0);
        }
    }
}
