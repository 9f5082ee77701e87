package dev.parley.anim;

import com.jme3.anim.AnimComposer;
import com.jme3.renderer.RenderManager;
import com.jme3.renderer.ViewPort;
import com.jme3.scene.Geometry;
import com.jme3.scene.Spatial;
import com.jme3.scene.control.AbstractControl;
import com.jme3.scene.mesh.MorphTarget;
import dev.parley.rig.FaceRig;
import dev.parley.rig.MorphDeformer;
import dev.parley.rig.RigNames;
import dev.parley.util.Validate;
import java.util.ArrayList;
import java.util.List;

/**
 * Plays a baked clip's morph weights exactly. An {@link AnimComposer} writes each geometry's morph
 * state (and poses the jaw and neck joints itself); jME's own {@code MorphControl} would then drop
 * negative and small weights, so this control binds a {@link FaceRig} (which removes it) and, every
 * update after the composer, hands the geometries' morph states to the rig's deformers: the same
 * exact signed morphing as live speech. It never touches joints.
 */
public class BakedFaceControl extends AbstractControl {

    private final FaceRig rig;
    private final List<Geometry> geometries = new ArrayList<>();
    private final List<int[]> components = new ArrayList<>();
    private final float[] weights;

    /**
     * @param rig a bound rig (not null)
     * @param names the rig's control names (not null)
     */
    public BakedFaceControl(FaceRig rig, RigNames names) {
        this.rig = Validate.nonNull(rig, "rig");
        Validate.nonNull(names, "names");
        weights = new float[rig.expressionCount()];
        rig.getModel().depthFirstTraversal(s -> {
            if (s instanceof Geometry g && g.getMesh().getMorphTargets().length > 0) {
                MorphTarget[] targets = g.getMesh().getMorphTargets();
                int[] c = new int[targets.length];
                for (int i = 0; i < targets.length; i++) {
                    c[i] = names.morphTargets().indexOf(targets[i].getName());
                }
                geometries.add(g);
                components.add(c);
            }
        });
    }

    /**
     * Binds a model and adds the control after the {@link AnimComposer} on the spatial holding the
     * armature (or on the model).
     *
     * @param model the loaded model (not null)
     * @param names its control names (not null)
     * @return the control, already added (not null)
     */
    public static BakedFaceControl attach(Spatial model, RigNames names) {
        FaceRig rig = FaceRig.bind(model, names);
        BakedFaceControl control = new BakedFaceControl(rig, names);
        Spatial host = rig.getSkinnedSpatial() != null ? rig.getSkinnedSpatial() : model;
        AnimComposer composer = host.getControl(AnimComposer.class);
        int at = host.getNumControls();
        for (int i = 0; i < host.getNumControls(); i++) {
            if (host.getControl(i) == composer) {
                at = i + 1;
            }
        }
        host.addControlAt(at, control);
        return control;
    }

    /** @return the rig (not null) */
    public FaceRig getRig() {
        return rig;
    }

    /**
     * The weights applied at the last update, by expression component.
     *
     * @param store receives them (not null, length = expression count, modified)
     * @return {@code store}
     */
    public float[] getWeights(float[] store) {
        System.arraycopy(weights, 0, Validate.length(store, weights.length, "store"), 0, weights.length);
        return store;
    }

    @Override
    protected void controlUpdate(float tpf) {
        for (int g = 0; g < geometries.size(); g++) {
            float[] state = geometries.get(g).getMorphState();
            int[] c = components.get(g);
            for (int i = 0; i < c.length && i < state.length; i++) {
                if (c[i] >= 0 && c[i] < weights.length) {
                    weights[c[i]] = state[i];
                }
            }
        }
        for (MorphDeformer d : rig.getDeformers()) {
            d.apply(weights);
        }
    }

    @Override
    protected void controlRender(RenderManager rm, ViewPort vp) {
        // Nothing: the deformers wrote the mesh (or the GPU weights) in controlUpdate.
    }
}
