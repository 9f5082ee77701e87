package dev.parley.anim;

import com.jme3.anim.AnimComposer;
import com.jme3.export.JmeExporter;
import com.jme3.export.JmeImporter;
import com.jme3.renderer.RenderManager;
import com.jme3.renderer.ViewPort;
import com.jme3.scene.Geometry;
import com.jme3.scene.Spatial;
import com.jme3.scene.control.AbstractControl;
import com.jme3.scene.mesh.MorphTarget;
import com.jme3.util.clone.Cloner;
import dev.parley.rig.FaceRig;
import dev.parley.rig.FaceRigControl;
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
 *
 * <p>Cloning the whole model ({@code model.clone()}) clones this control with a rig of its own bound
 * to the clone (jME clones the {@code AnimComposer} likewise), so the two faces play independently.
 * The control is not saved: {@link #write} refuses; remove it before saving the model and call
 * {@link #attach} again after loading.
 */
public class BakedFaceControl extends AbstractControl {

    private FaceRig rig;
    private List<Geometry> geometries = new ArrayList<>();
    // Per geometry, the expression component of each of its morph targets (-1: none); never modified.
    private List<int[]> components = new ArrayList<>();
    private float[] weights;

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

    /**
     * Completes a clone made by jME's {@link Cloner}: a rig bound to the cloned model, reading the
     * cloned geometries' morph states.
     *
     * @param cloner the cloner (not null)
     * @param original the control this was cloned from (not null)
     * @throws UnsupportedOperationException if only a part of the model below its root is cloned
     */
    @Override
    public void cloneFields(Cloner cloner, Object original) {
        super.cloneFields(cloner, original);
        rig = rig.cloneFor(cloner);
        List<Geometry> clonedGeometries = new ArrayList<>();
        for (Geometry g : geometries) {
            clonedGeometries.add(cloner.clone(g));
        }
        geometries = clonedGeometries;
        components = new ArrayList<>(components);
        weights = weights.clone();
    }

    /**
     * Refuses: a face control is not saved with the model.
     *
     * @param ex unused
     * @throws UnsupportedOperationException always, saying what to do instead
     */
    @Override
    public void write(JmeExporter ex) {
        throw new UnsupportedOperationException(FaceRigControl.notSaved("BakedFaceControl", spatial));
    }

    /**
     * Refuses: a face control is not saved with the model.
     *
     * @param im unused
     * @throws UnsupportedOperationException always, saying what to do instead
     */
    @Override
    public void read(JmeImporter im) {
        throw new UnsupportedOperationException(FaceRigControl.notSaved("BakedFaceControl", spatial));
    }
}
