package dev.parley.rig;

import com.jme3.anim.AnimComposer;
import com.jme3.export.JmeExporter;
import com.jme3.export.JmeImporter;
import com.jme3.renderer.RenderManager;
import com.jme3.renderer.ViewPort;
import com.jme3.scene.Spatial;
import com.jme3.scene.control.AbstractControl;
import com.jme3.util.clone.Cloner;
import dev.parley.head.MotionLayout;
import dev.parley.motion.MotionFrame;
import dev.parley.util.Validate;

/**
 * Applies this control's {@link MotionFrame} to a {@link FaceRig} once per frame, during the
 * logical update. Attach it after any {@link AnimComposer} on the same spatial (as
 * {@link #attach(Spatial, RigNames)} does) so face joints are posed after body animation.
 *
 * <p>The frame belongs to the render thread: write it from the update loop or from a task queued
 * with {@code app.enqueue}, never from a worker thread.
 *
 * <p>Cloning the model ({@code model.clone()}, the whole model from its root) clones this control
 * with a rig of its own bound to the clone and a copy of the frame: the two faces move independently.
 * The control is not saved: {@link #write} refuses, because a rig is bound to a loaded model's
 * meshes; remove it before saving a scene and call {@link #attach} again after loading.
 */
public class FaceRigControl extends AbstractControl {

    private FaceRig rig;
    private MotionFrame frame;

    /**
     * @param rig the bound rig (not null)
     */
    public FaceRigControl(FaceRig rig) {
        this.rig = Validate.nonNull(rig, "rig");
        this.frame = new MotionFrame(rig.expressionCount());
    }

    /**
     * Binds a model and adds a control for it: on the spatial holding the armature (after its
     * AnimComposer, if any), or on the model itself when it has no armature.
     *
     * @param model the loaded model (not null)
     * @param names the control names (not null, unaffected)
     * @return the new control, already added (not null)
     * @throws RigBindingException if a control is missing
     */
    public static FaceRigControl attach(Spatial model, RigNames names) {
        return addTo(model, FaceRig.bind(model, names));
    }

    /**
     * Binds a character that is not FLAME-structured through a profile ({@link FaceRig#bind(Spatial,
     * RigProfile, MotionLayout)}) and adds a control for it, placed as {@link #attach(Spatial, RigNames)} does.
     * The frame stays a FLAME-structured motion frame; the rig retargets it.
     *
     * @param model the loaded model (not null)
     * @param profile the target set and names (not null)
     * @param layout the layout of the motion frames (not null, the set's)
     * @return the new control, already added (not null)
     * @throws RigBindingException if a joint named in code is missing or nothing binds
     */
    public static FaceRigControl attach(Spatial model, RigProfile profile, MotionLayout layout) {
        return addTo(model, FaceRig.bind(model, profile, layout));
    }

    private static FaceRigControl addTo(Spatial model, FaceRig rig) {
        FaceRigControl control = new FaceRigControl(rig);
        Spatial host = rig.getSkinnedSpatial() != null ? rig.getSkinnedSpatial() : model;
        host.addControl(control);
        return control;
    }

    /** @return the rig this control drives (not null) */
    public FaceRig getRig() {
        return rig;
    }

    /** @return the live frame applied every update (not null; the control's own instance, modify in place) */
    public MotionFrame getFrame() {
        return frame;
    }

    @Override
    protected void controlUpdate(float tpf) {
        rig.apply(frame);
    }

    @Override
    protected void controlRender(RenderManager rm, ViewPort vp) {
        // Nothing: skinning reads the joints and buffers set in controlUpdate.
    }

    /**
     * Completes a clone made by jME's {@link Cloner}: a rig bound to the cloned model and a copy of the
     * frame, so the clone's face moves on its own.
     *
     * @param cloner the cloner (not null)
     * @param original the control this was cloned from (not null)
     * @throws UnsupportedOperationException if only a part of the model below its root is cloned
     */
    @Override
    public void cloneFields(Cloner cloner, Object original) {
        super.cloneFields(cloner, original);
        rig = rig.cloneFor(cloner);
        frame = new MotionFrame(rig.expressionCount()).set(frame);
    }

    /**
     * Refuses: a face control is not saved with the model.
     *
     * @param ex unused
     * @throws UnsupportedOperationException always, saying what to do instead
     */
    @Override
    public void write(JmeExporter ex) {
        throw new UnsupportedOperationException(notSaved("FaceRigControl", spatial));
    }

    /**
     * Refuses: a face control is not saved with the model.
     *
     * @param im unused
     * @throws UnsupportedOperationException always, saying what to do instead
     */
    @Override
    public void read(JmeImporter im) {
        throw new UnsupportedOperationException(notSaved("FaceRigControl", spatial));
    }

    /**
     * @param control the control's class name (not null)
     * @param spatial the spatial it controls (may be null)
     * @return why a Parley face control cannot be saved, and what to do instead (not null)
     */
    public static String notSaved(String control, Spatial spatial) {
        return control + (spatial == null ? "" : " on '" + spatial.getName() + "'") + " is not saved: its rig is"
                + " bound to a loaded model's meshes. Remove Parley's controls before saving the model and"
                + " attach them again after loading it";
    }
}
