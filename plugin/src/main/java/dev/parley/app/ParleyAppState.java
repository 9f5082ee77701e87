package dev.parley.app;

import com.jme3.app.Application;
import com.jme3.app.state.AppStateManager;
import com.jme3.app.state.BaseAppState;
import com.jme3.scene.Spatial;
import dev.parley.head.HeadShape;
import dev.parley.head.HeadSpec;
import dev.parley.pack.InferenceRuntime;
import dev.parley.pack.PackManifest;
import dev.parley.pack.ParleyPack;
import dev.parley.rig.FaceRig;
import dev.parley.rig.FaceRigControl;
import dev.parley.rig.RigNames;
import dev.parley.rig.RigProfile;
import dev.parley.service.InferenceService;
import dev.parley.service.Networks;
import dev.parley.service.ServiceSettings;
import dev.parley.style.Adapter;
import dev.parley.style.Style;
import dev.parley.style.StyleKey;
import dev.parley.util.Validate;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Parley in a jME application: owns the model pack and the inference service, and makes
 * {@link TalkingHead}s.
 *
 * <pre>
 * ParleyAppState parley = new ParleyAppState(Path.of("models/packs/parley-base-v1"));
 * stateManager.attach(parley);
 * Style calm = (Style) assetManager.loadAsset(new StyleKey("Styles/calm.style.json"));
 * TalkingHead guard = parley.attach(guardModel, headSpec, calm);
 * guard.say(new AudioNode(assetManager, "Sounds/guard_01.ogg", AudioData.DataType.Buffer));
 * </pre>
 *
 * <p>The pack's manifest is read when the state is made; its graphs are opened on Parley's worker
 * thread when the state is attached, so neither stalls the render thread. A missing or broken pack
 * does not stop the game: it is logged once, and every line fails with the reason through its
 * listeners while faces stay idle.
 *
 * <p>Detaching the state (or closing the application) ends every character's line ({@code finished},
 * state STOPPED), stops the worker and closes every ONNX Runtime session and tensor. The worker closes
 * them itself after its last run, so they are never closed under a run in progress. The state may be
 * attached again: a new worker opens the pack again. Lines said while it is detached fail.
 */
public class ParleyAppState extends BaseAppState {

    private static final Logger LOG = Logger.getLogger(ParleyAppState.class.getName());

    private final PackManifest manifest;
    private final Exception setupError;
    private final Callable<Networks> open;
    private final ServiceSettings settings;
    private final List<TalkingHead> heads = new ArrayList<>();
    private volatile InferenceService service;
    private long nextSeed = 1;

    /**
     * Uses the pack in a folder, with default settings.
     *
     * @param packFolder the pack folder, e.g. {@code models/packs/parley-base-v1} (not null)
     */
    public ParleyAppState(Path packFolder) {
        this(packFolder, ServiceSettings.defaults());
    }

    /**
     * Uses the pack in a folder.
     *
     * @param packFolder the pack folder (not null)
     * @param settings how inference uses the machine (not null)
     */
    public ParleyAppState(Path packFolder, ServiceSettings settings) {
        Validate.nonNull(packFolder, "packFolder");
        Validate.nonNull(settings, "settings");
        PackManifest m = null;
        Exception error = null;
        try {
            m = PackManifest.load(packFolder.resolve("manifest.json"));
        } catch (RuntimeException e) {
            error = e;
            LOG.log(Level.SEVERE, "Parley cannot use the model pack: " + e.getMessage()
                    + "; characters will stay idle");
        }
        manifest = m;
        setupError = error;
        this.settings = settings;
        open = () -> Networks.owning(ParleyPack.load(packFolder,
                InferenceRuntime.create(settings.intraOpThreads(), settings.preferCuda())));
        service = m == null ? null : newService();
    }

    /**
     * Uses an open pack, which this state then owns and closes. Attached again after a detach, the state
     * loads the pack again from its folder, on the same runtime.
     *
     * @param pack the pack (not null, open)
     * @param settings how inference uses the machine (not null)
     */
    public ParleyAppState(ParleyPack pack, ServiceSettings settings) {
        this(Validate.nonNull(pack, "pack").manifest(),
                () -> Networks.owning(pack.isClosed() ? ParleyPack.load(pack.folder(), pack.runtime()) : pack), null,
                settings);
    }

    /**
     * Uses networks of your own with a pack's manifest: another runtime, or stand-ins in tests.
     *
     * @param manifest the manifest the networks follow (not null)
     * @param networks opens the networks, on the worker, at each attach (not null; to be attached again
     *     after a detach it must open new networks, owned by its {@link Networks#owner()})
     * @param owner closed by the worker after its last run of the first attach (may be null)
     * @param settings how inference uses the machine (not null)
     */
    public ParleyAppState(PackManifest manifest, Callable<Networks> networks, AutoCloseable owner,
            ServiceSettings settings) {
        this.manifest = Validate.nonNull(manifest, "manifest");
        Validate.nonNull(networks, "networks");
        this.settings = Validate.nonNull(settings, "settings");
        this.setupError = null;
        AtomicReference<AutoCloseable> once = new AtomicReference<>(owner);
        open = () -> {
            AutoCloseable o = once.getAndSet(null);
            Networks n;
            try {
                n = networks.call();
            } catch (Exception | Error e) {
                closeQuietly(o);
                throw e;
            }
            if (o == null) {
                return n;
            }
            AutoCloseable both = n.owner() == null ? o : () -> {
                closeQuietly(n.owner());
                o.close();
            };
            return n.withOwner(both);
        };
        service = newService();
    }

    /**
     * Makes a talking character of a FLAME-structured model whose controls the head spec names, after
     * checking that the pack was made for that head.
     *
     * @param model the loaded model (not null; its motion is conditioned on the face shape that
     *     {@link HeadShape#apply} recorded on it, else the mean face: see {@link TalkingHead#setShape})
     * @param spec the head's spec (not null)
     * @param style the speaking style (null = none)
     * @param listeners hear about the character's lines, and about a rig that cannot be bound
     * @return the character (not null; inert, with every line failing, if the rig or head do not fit)
     */
    public TalkingHead attach(Spatial model, HeadSpec spec, Style style, LineListener... listeners) {
        Validate.nonNull(spec, "spec");
        Exception headError = null;
        if (manifest != null) {
            try {
                manifest.checkHead(spec);
            } catch (RuntimeException e) {
                headError = e;
            }
        }
        return attach(model, RigNames.fromSpec(spec), style, headError, listeners);
    }

    /**
     * Makes a talking character of a model that is not FLAME-structured (ARKit blendshapes, Oculus visemes,
     * VRM presets): the model still produces FLAME motion frames, batched with every other character, and
     * the rig retargets each frame into the profile's set ({@link FaceRig#bind(Spatial, RigProfile,
     * dev.parley.head.MotionLayout)}). Set targets the model lacks are logged once in one warning.
     *
     * @param model the loaded model (not null)
     * @param profile the target set and names (not null; the set must be made for this pack's motion)
     * @param style the speaking style (null = none)
     * @param listeners hear about the character's lines, and about a rig that cannot be bound
     * @return the character (not null; inert, with every line failing, if the rig cannot be bound)
     */
    public TalkingHead attach(Spatial model, RigProfile profile, Style style, LineListener... listeners) {
        Validate.nonNull(profile, "profile");
        RigNames names = RigNames.of(profile.set().expressionNames(), Map.of());
        return attach(model, names, m -> {
            if (manifest == null) {
                throw new IllegalStateException("the pack could not be read, so its motion layout is unknown"
                        + (setupError == null ? "" : ": " + setupError.getMessage()));
            }
            return FaceRig.bind(m, profile, manifest.motion());
        }, style, null, listeners);
    }

    /**
     * Makes a talking character of a model with FLAME-structured controls under the given names.
     *
     * @param model the loaded model (not null; its motion is conditioned on the face shape that
     *     {@link HeadShape#apply} recorded on it, else the mean face: see {@link TalkingHead#setShape})
     * @param names the names of its morph targets and joints (not null)
     * @param style the speaking style (null = none)
     * @param listeners hear about the character's lines, and about a rig that cannot be bound
     * @return the character (not null; inert, with every line failing, if the rig cannot be bound)
     */
    public TalkingHead attach(Spatial model, RigNames names, Style style, LineListener... listeners) {
        return attach(model, names, style, null, listeners);
    }

    private TalkingHead attach(Spatial model, RigNames names, Style style, Exception headError,
            LineListener... listeners) {
        Validate.nonNull(names, "names");
        return attach(model, names, m -> FaceRig.bind(m, names), style, headError, listeners);
    }

    private TalkingHead attach(Spatial model, RigNames names, Function<Spatial, FaceRig> binder, Style style,
            Exception headError, LineListener... listeners) {
        Validate.nonNull(model, "model");
        Validate.nonNull(names, "names");
        String name = model.getName() != null ? model.getName() : "character " + (heads.size() + 1);
        FaceRigControl face = null;
        Exception error = headError;
        float[] shape = new float[0];
        if (error == null) {
            try {
                shape = checkShape(HeadShape.betaOf(model), "'" + name + "' (recorded by HeadShape.apply)");
                FaceRig rig = binder.apply(model);
                face = new FaceRigControl(rig);
                Spatial host = rig.getSkinnedSpatial() != null ? rig.getSkinnedSpatial() : model;
                host.addControl(face);
                if (manifest != null) {
                    manifest.checkExpressions(rig.expressionCount(), String.valueOf(model.getName()));
                }
            } catch (RuntimeException e) {
                error = e;
            }
        }
        TalkingHead head = new TalkingHead(this, name, error == null ? face : null, names, style, shape, error,
                nextSeed++);
        for (LineListener l : listeners) {
            head.addListener(l);
        }
        if (error != null) {
            if (face != null) {
                face.getSpatial().removeControl(face);
                face.getRig().unbind();
            }
            LOG.warning("Parley: " + name + " cannot talk: " + error.getMessage());
            head.reportBindFailure();
            model.addControl(head);
        } else {
            Spatial host = face.getSpatial();
            host.addControlAt(indexOf(host, face), head);
        }
        heads.add(head);
        return head;
    }

    /**
     * Removes a character: stops its line (listeners hear {@code finished} now, state STOPPED), removes
     * its controls (the face keeps its last pose). Lines it is given afterwards fail at once.
     *
     * @param head a character made by this state (not null)
     */
    public void detach(TalkingHead head) {
        Validate.nonNull(head, "head");
        head.detachFromParley();
        if (head.getSpatial() != null) {
            head.getSpatial().removeControl(head);
        }
        FaceRigControl face = head.getFace();
        if (face != null && face.getSpatial() != null) {
            face.getSpatial().removeControl(face);
        }
        heads.remove(head);
    }

    /** @return the characters made by this state (a new list) */
    public List<TalkingHead> getHeads() {
        return new ArrayList<>(heads);
    }

    /** @return the pack's manifest, or null if it could not be read */
    public PackManifest manifest() {
        return manifest;
    }

    /** @return why the pack cannot be used (missing, unreadable, graphs that do not open), or null */
    public Exception setupError() {
        if (setupError != null) {
            return setupError;
        }
        return service != null ? service.openFailure() : null;
    }

    /** @return how inference uses the machine (not null) */
    public ServiceSettings settings() {
        return settings;
    }

    /**
     * @return the inference service (a new one each time the state is attached again after a detach), or
     *     null if the pack could not be read
     */
    public InferenceService service() {
        return service;
    }

    /**
     * Checks that a style suits the pack.
     *
     * @param style the style (not null)
     * @throws dev.parley.util.AssetFormatException naming the style file and the mismatch
     */
    public void checkStyle(Style style) {
        Validate.nonNull(style, "style").checkCompatible(manifest.id(), manifest.styleDim());
    }

    /**
     * Checks that an expression adapter was fitted for the pack (its id, version and the SHA-256 of its
     * denoiser graph, as the manifest's {@code checksums} give it; the worker checks the graph's own hash when
     * it merges the adapter) and asks the worker to merge it.
     *
     * @param adapter the adapter (not null)
     * @throws dev.parley.util.AssetFormatException naming the adapter file, the field and both values
     * @throws IllegalStateException if the pack could not be read
     */
    public void checkAdapter(Adapter adapter) {
        Validate.nonNull(adapter, "adapter");
        if (manifest == null) {
            throw new IllegalStateException("the pack could not be read, so no adapter can run"
                    + (setupError == null ? "" : ": " + setupError.getMessage()));
        }
        String sha = manifest.denoiserSha256();
        adapter.checkPack(manifest.id(), manifest.packVersion(), sha != null ? sha : adapter.denoiserSha256());
        InferenceService s = service;
        if (s != null) {
            s.prepare(adapter);
        }
    }

    /**
     * Checks that a face shape suits the pack (when its manifest could be read; otherwise only that it
     * is finite).
     *
     * @param beta the shape weights (not null, unaffected)
     * @param who whose shape, for the message (not null)
     * @return a copy of {@code beta}
     * @throws IllegalArgumentException naming {@code who}, the pack and the mismatch
     */
    float[] checkShape(float[] beta, String who) {
        if (manifest != null) {
            manifest.shapeInput(beta, who, new float[manifest.shapeDim()]);
        } else {
            Validate.finite(beta, "beta");
        }
        return beta.clone();
    }

    /** Makes a new service when the last one was closed, so lines said from now on queue for it. */
    @Override
    public void stateAttached(AppStateManager stateManager) {
        super.stateAttached(stateManager);
        renewService();
    }

    @Override
    protected void initialize(Application app) {
        StyleKey.register(app.getAssetManager());
        renewService();
        if (service != null) {
            service.start();
        }
    }

    /**
     * Ends every character's line (STOPPED, listeners told now) and stops the worker, which closes the
     * networks itself after its last run: never while a run may still use them.
     */
    @Override
    protected void cleanup(Application app) {
        for (TalkingHead h : new ArrayList<>(heads)) {
            h.shutdown();
        }
        if (service != null) {
            service.close();
        }
    }

    @Override
    protected void onEnable() {
        // Nothing: characters keep living while the state is disabled.
    }

    @Override
    protected void onDisable() {
        // Nothing.
    }

    private InferenceService newService() {
        return new InferenceService(manifest, open, settings, "Parley inference");
    }

    private void renewService() {
        InferenceService s = service;
        if (s != null && s.isClosed()) {
            service = newService();
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.log(Level.WARNING, "Parley: closing the networks' owner failed", e);
            }
        }
    }

    private static int indexOf(Spatial host, FaceRigControl face) {
        for (int i = 0; i < host.getNumControls(); i++) {
            if (host.getControl(i) == face) {
                return i;
            }
        }
        return host.getNumControls();
    }
}
