package dev.parley.demo;

import com.jme3.app.Application;
import com.jme3.app.SimpleApplication;
import com.jme3.app.state.BaseAppState;
import com.jme3.asset.AssetManager;
import com.jme3.audio.AudioData;
import com.jme3.audio.AudioNode;
import com.jme3.bounding.BoundingBox;
import com.jme3.math.ColorRGBA;
import com.jme3.math.Quaternion;
import com.jme3.math.Vector3f;
import com.jme3.renderer.queue.RenderQueue.ShadowMode;
import com.jme3.scene.Geometry;
import com.jme3.scene.Node;
import com.jme3.scene.Spatial;
import com.jme3.scene.VertexBuffer;
import com.jme3.scene.mesh.MorphTarget;
import dev.parley.app.ParleyAppState;
import dev.parley.app.SpeechStream;
import dev.parley.app.TalkingHead;
import dev.parley.audio.AudioFiles;
import dev.parley.audio.PcmClip;
import dev.parley.head.HeadLook;
import dev.parley.head.HeadShape;
import dev.parley.head.HeadSpec;
import dev.parley.retarget.RetargetSet;
import dev.parley.rig.RigProfile;
import dev.parley.service.ServiceSettings;
import dev.parley.style.Adapter;
import dev.parley.style.AdapterKey;
import dev.parley.style.Style;
import dev.parley.style.StyleKey;
import dev.parley.util.Validate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The demo's characters: builds each from the open head with its own shape (beta) on a simple
 * body (or, for a character with a {@link CharacterProfile#rig()}, from its own model bound through a
 * {@link RigProfile}), attaches each to Parley's runtime ({@link ParleyAppState} on the model pack, one
 * {@link TalkingHead} per character) and makes them talk through the current {@link SpeechDriver}:
 * the audio-driven model or the plain energy jaw. Holds the panel's selection; the panel polls
 * {@link #version()}.
 */
public class CastState extends BaseAppState {

    /** The head model's asset path. */
    public static final String HEAD_MODEL = "Models/ParleyHead/ParleyHead.glb";
    /** The head spec's asset path. */
    public static final String HEAD_SPEC = "Models/ParleyHead/ParleyHead.spec.json";
    /** The sample rate every driver is fed (the models' rate). */
    public static final int SAMPLE_RATE = 16000;

    /** The non-FLAME head (ARKit's 52 blendshapes, no joints) one villager wears. */
    public static final String ARKIT_MODEL = "Models/ArkitHead/ArkitHead.glb";

    /** Four villagers around the well, with different faces and styles; Tomas wears the ARKit head. */
    public static final List<CharacterProfile> DEFAULT_CAST = List.of(
            new CharacterProfile("Mara, innkeeper",
                    CharacterProfile.beta(0, -0.9f, 4, 0.6f, 9, 1.4f, 12, 1.2f, 16, -0.5f),
                    "cheerful", new Vector3f(-0.42f, 0f, 0.15f), new Vector3f(0.25f, 0f, 1f),
                    new ColorRGBA(0.62f, 0.2f, 0.17f, 1f), "greeting"),
            new CharacterProfile("Bram, guard",
                    CharacterProfile.beta(0, 1.8f, 3, 1.8f, 5, 1.2f, 11, 1.6f, 18, 1.8f, 6, 0.8f),
                    "stern", new Vector3f(0.42f, 0f, 0.1f), new Vector3f(-0.3f, 0f, 1f),
                    new ColorRGBA(0.24f, 0.34f, 0.5f, 1f), "warning-bridge"),
            new CharacterProfile("Ilse, scholar",
                    CharacterProfile.beta(1, 1.3f, 6, 1.4f, 7, -0.8f, 13, -0.9f, 16, 1.5f, 2, -0.8f),
                    "nervous", new Vector3f(-1.2f, 0f, -0.4f), new Vector3f(0.6f, 0f, 1f),
                    new ColorRGBA(0.22f, 0.42f, 0.3f, 1f), "question-midnight"),
            new CharacterProfile("Tomas, merchant",
                    CharacterProfile.beta(17, 1.8f, 7, 1.6f, 10, 1.2f, 4, -1.0f, 14, 0.8f),
                    "animated", new Vector3f(1.2f, 0f, -0.35f), new Vector3f(-0.6f, 0f, 1f),
                    new ColorRGBA(0.72f, 0.55f, 0.2f, 1f), "gold", "arkit52", ARKIT_MODEL));

    private final List<CharacterProfile> profiles;
    private final List<CharacterAssets.Entry> entries;
    private final Node root = new Node("Cast");
    private final List<CastMember> speakers = new ArrayList<>();
    private final Set<String> checkedLines = new HashSet<>();
    private boolean[] talking = new boolean[0];
    private HeadSpec spec;
    private List<DialogueLines.Line> lines;
    private SpeechDriver energyDriver;
    private SpeechDriver modelDriver;
    private boolean useModel;
    private int selected;
    private long version;
    private MicrophoneInput mic;
    private CastMember micSpeaker;
    private SpeechStream micStream;
    /** Streamed lines still being written, by who says them. */
    private final Map<CastMember, StreamedLine> feeding = new HashMap<>();
    private final Path packFolder;
    private final Boolean startWithModel;
    private ParleyAppState parley;
    private final Map<String, Style> styles = new HashMap<>();
    /** Each character's expression adapter ({@code Adapters/<first name>.adapter}), if it has one. */
    private final Map<Integer, Adapter> adapters = new HashMap<>();

    /**
     * Creates the cast of {@code assets/Characters} (else the default cast) on the default pack, in the pack's default
     * mode.
     */
    public CastState() {
        this(DemoAssets.folder().resolve(CharacterAssets.FOLDER), DemoAssets.packFolder(), null);
    }

    /**
     * The cast of a characters folder, whose files "Save style" rewrites.
     *
     * @param characters the folder of {@code *.character.json} (not null; missing or empty: the default cast, not
     *     saved)
     * @param packFolder the model pack (not null)
     * @param startWithModel see {@link #CastState(List, Path, Boolean)}
     */
    public CastState(Path characters, Path packFolder, Boolean startWithModel) {
        this(CharacterAssets.load(characters), packFolder, startWithModel, true);
    }

    private CastState(List<CharacterAssets.Entry> entries, Path packFolder, Boolean startWithModel, boolean fromFiles) {
        this(entries.isEmpty() ? DEFAULT_CAST : entries.stream().map(CharacterAssets.Entry::profile).toList(),
                packFolder, startWithModel,
                entries);
    }

    /**
     * @param profiles the characters (not null, not empty, unaffected)
     * @param packFolder the model pack (not null; a missing or broken pack leaves the energy jaw only)
     * @param startWithModel true or false to start with the model or the energy jaw; null for the
     *     default: the model when the pack is trained, the energy jaw for an untrained placeholder pack
     */
    public CastState(List<CharacterProfile> profiles, Path packFolder, Boolean startWithModel) {
        this(profiles, packFolder, startWithModel, List.of());
    }

    private CastState(List<CharacterProfile> profiles, Path packFolder, Boolean startWithModel,
            List<CharacterAssets.Entry> entries) {
        this.entries = new ArrayList<>(entries);
        Validate.nonNull(profiles, "profiles");
        if (profiles.isEmpty()) {
            throw new IllegalArgumentException("profiles must not be empty");
        }
        this.profiles = List.copyOf(profiles);
        this.packFolder = Validate.nonNull(packFolder, "packFolder");
        this.startWithModel = startWithModel;
    }

    @Override
    protected void initialize(Application app) {
        AssetManager am = app.getAssetManager();
        spec = HeadSpec.load(am, HEAD_SPEC);
        HeadShape shape = HeadShape.load(am, HEAD_SPEC, spec);
        lines = DialogueLines.load(am);
        energyDriver = new EnergyJawDriver();
        StyleKey.register(am);
        ServiceSettings settings = ServiceSettings.defaults();
        parley = new ParleyAppState(packFolder, settings);
        getStateManager().attach(parley);
        for (int i = 0; i < profiles.size(); i++) {
            speakers.add(build(am, shape, profiles.get(i)));
        }
        talking = new boolean[speakers.size()];
        if (parley.setupError() == null) {
            loadAdapters(am);
            setModelDriver(new ModelSpeechDriver(parley, settings, this::style));
            boolean trained = !parley.manifest().packVersion().contains("untrained");
            setUseModel(startWithModel != null ? startWithModel : trained);
        }
    }

    /**
     * @param preset a style preset (not null)
     * @return the preset's style for the model ({@code Styles/<name>.style.json}), or null if there is
     *     none or it does not suit the pack (logged; the line then has no style condition)
     */
    public Style style(StylePreset preset) {
        Validate.nonNull(preset, "preset");
        return styles.computeIfAbsent(preset.name(), n -> {
            try {
                Style s = getApplication().getAssetManager().loadAsset(new StyleKey(StylePreset.assetPath(n)));
                parley.checkStyle(s);
                return s;
            } catch (RuntimeException e) {
                java.util.logging.Logger.getLogger(CastState.class.getName())
                        .warning("style '" + n + "' unavailable for the model: " + e.getMessage());
                return null;
            }
        });
    }

    /**
     * Finds each character's adapter: {@code Adapters/<first name, lower case>.adapter} (Bram's:
     * {@code Adapters/bram.adapter}). One that does not suit the pack is logged and left out.
     */
    private void loadAdapters(AssetManager am) {
        AdapterKey.register(am);
        for (int i = 0; i < speakers.size(); i++) {
            String path = adapterPath(speakers.get(i).profile());
            if (!Files.isRegularFile(DemoAssets.folder().resolve(path))) {
                continue; // most villagers have none (asking the asset manager would log a warning)
            }
            try {
                Adapter a = am.loadAsset(new AdapterKey(path));
                parley.checkAdapter(a);
                adapters.put(i, a);
            } catch (RuntimeException e) {
                java.util.logging.Logger.getLogger(CastState.class.getName())
                        .warning("adapter '" + path + "' unavailable: " + e.getMessage());
            }
        }
    }

    /**
     * @param profile a character (not null)
     * @return where its adapter would be: {@code Adapters/<first name, lower case>.adapter} (not null)
     */
    static String adapterPath(CharacterProfile profile) {
        String first = profile.name().split("[ ,]")[0].toLowerCase(java.util.Locale.ROOT);
        return "Adapters/" + first + ".adapter";
    }

    /**
     * @param speaker the character's index (in [0, speakers().size()))
     * @return true if the character has an adapter to toggle
     */
    public boolean hasAdapter(int speaker) {
        return adapters.containsKey(Validate.inRange(speaker, 0, speakers.size() - 1, "speaker"));
    }

    /**
     * @param speaker the character's index (in [0, speakers().size()))
     * @return true if the character's lines run its adapter
     */
    public boolean isAdapted(int speaker) {
        return speakers.get(Validate.inRange(speaker, 0, speakers.size() - 1, "speaker")).talker()
                .getAdapter() != null;
    }

    /**
     * Gives a character its adapted voice, or the style-only path (its style preset alone), for its next lines.
     *
     * @param speaker the character's index (in [0, speakers().size()))
     * @param on true for the adapter (a character without one stays on the style-only path)
     */
    public void setAdapted(int speaker, boolean on) {
        Validate.inRange(speaker, 0, speakers.size() - 1, "speaker");
        speakers.get(speaker).talker().setAdapter(on ? adapters.get(speaker) : null);
        version++;
    }

    /**
     * Gives a character a style preset for its next lines (the model's style, the energy jaw's flavour).
     *
     * @param speaker the character's index (in [0, speakers().size()))
     * @param preset the preset (not null)
     */
    public void assignStyle(int speaker, StylePreset preset) {
        Validate.inRange(speaker, 0, speakers.size() - 1, "speaker");
        CastMember s = speakers.get(speaker);
        s.setStyle(Validate.nonNull(preset, "preset"));
        if (parley.setupError() == null) {
            s.talker().setStyle(style(preset));
        }
        version++;
    }

    /**
     * Saves a character's current style into its asset ({@code assets/Characters/<id>.character.json}),
     * so the next start keeps it.
     *
     * @param speaker the character's index (in [0, speakers().size()))
     * @return the file written (not null)
     * @throws IllegalStateException if the cast did not come from character files
     */
    public Path saveStyle(int speaker) {
        Validate.inRange(speaker, 0, speakers.size() - 1, "speaker");
        if (entries.size() != speakers.size()) {
            throw new IllegalStateException("this cast was not loaded from character files: nothing to save into");
        }
        CharacterAssets.Entry saved = CharacterAssets.saveStyle(entries.get(speaker),
                speakers.get(speaker).style().name(), speaker);
        entries.set(speaker, saved);
        version++;
        return saved.file();
    }

    /** @return true if "Save style" can write the characters' files */
    public boolean canSave() {
        return entries.size() == speakers.size();
    }

    /** @return Parley's runtime state (not null once initialized) */
    public ParleyAppState parley() {
        return parley;
    }

    private CastMember build(AssetManager am, HeadShape shape, CharacterProfile profile) {
        if (profile.rig() != null) {
            return buildRigged(am, profile);
        }
        Spatial head = am.loadModel(HEAD_MODEL);
        // Before the rig binds (it copies the bind pose); the beta recorded on the head is what attach
        // conditions this villager's motion on.
        shape.apply(head, spec, profile.beta());
        HeadLook.apply(head, am);
        profile.grooming().apply(head, spec, am);
        head.setName(profile.name());
        // Without a usable pack the head still binds: the energy jaw then drives it. A head that does
        // not fit stays still (logged by Parley) and its lines fail.
        TalkingHead talker = parley.attach(head, spec,
                parley.setupError() == null ? style(StylePreset.named(profile.style())) : null);
        return place(am, profile, head, talker, lipsBox(head));
    }

    /**
     * A villager on its own head: the pack's FLAME motion, conditioned on the profile's beta, is retargeted
     * into the model's morph targets. The energy jaw drives it too (through the same retargeting).
     */
    private CastMember buildRigged(AssetManager am, CharacterProfile profile) {
        Spatial head = am.loadModel(profile.model());
        head.setName(profile.name());
        RetargetSet set = RetargetSet.load(am, "Retargets/" + profile.rig() + ".retarget.json");
        TalkingHead talker = parley.attach(head, RigProfile.of(set),
                parley.setupError() == null ? style(StylePreset.named(profile.style())) : null);
        if (parley.setupError() == null) {
            talker.setShape(profile.beta());
        }
        // ArkitHead shares the open head's units and origin (the neck at y = 0), so it sits the same way.
        return place(am, profile, head, talker, morphBox(head, "mouth"));
    }

    private CastMember place(AssetManager am, CharacterProfile profile, Spatial head, TalkingHead talker,
            BoundingBox mouth) {
        // Receive only: the sun's shadow map is too coarse for a face's self-shadows in a close-up (stair-stepped
        // bands across the cheeks); the body and the scene still shade it.
        head.setShadowMode(ShadowMode.Receive);
        head.setLocalTranslation(0f, CharacterBody.NECK_BASE, 0f);
        head.setLocalScale(CharacterBody.HEAD_SCALE);
        Node character = new Node(profile.name());
        Node body = CharacterBody.build(am, profile.outfit());
        character.attachChild(body);
        body.attachChild(head); // sways with the body
        character.setLocalTranslation(profile.position());
        Vector3f facing = profile.facing().normalize();
        character.setLocalRotation(new Quaternion().lookAt(facing, Vector3f.UNIT_Y));
        root.attachChild(character);
        return new CastMember(profile, character, head, talker, mouth);
    }

    /**
     * The bounds, in the model's space, of the vertices that the morph targets named {@code prefix}* move
     * (called before the model is placed, so its world space is its model space).
     */
    private static BoundingBox morphBox(Spatial model, String prefix) {
        Vector3f min = new Vector3f(Float.MAX_VALUE, Float.MAX_VALUE, Float.MAX_VALUE);
        Vector3f max = min.negate();
        model.depthFirstTraversal(s -> {
            if (!(s instanceof Geometry g)) {
                return;
            }
            FloatBuffer pos = (FloatBuffer) g.getMesh().getBuffer(VertexBuffer.Type.Position).getData();
            for (MorphTarget t : g.getMesh().getMorphTargets()) {
                FloatBuffer d = t.getBuffer(VertexBuffer.Type.Position);
                if (t.getName() == null || !t.getName().startsWith(prefix) || d == null) {
                    continue;
                }
                for (int v = 0; v < d.limit() / 3; v++) {
                    if (Math.abs(d.get(3 * v)) + Math.abs(d.get(3 * v + 1)) + Math.abs(d.get(3 * v + 2)) > 1e-4f) {
                        Vector3f p = g.localToWorld(new Vector3f(pos.get(3 * v), pos.get(3 * v + 1),
                                pos.get(3 * v + 2)), null);
                        model.worldToLocal(p, p);
                        min.minLocal(p);
                        max.maxLocal(p);
                    }
                }
            }
        });
        if (min.x > max.x) { // the camera then frames the whole head
            java.util.logging.Logger.getLogger(CastState.class.getName()).warning("model '" + model.getName()
                    + "' has no morph target named " + prefix + "*: its mouth is taken to be its whole head");
            return (BoundingBox) model.getWorldBound().clone();
        }
        return new BoundingBox(min, max);
    }

    /** The lips region's bounds in the head's model space (after its shape). */
    private BoundingBox lipsBox(Spatial head) {
        return regionBox(head, "lips");
    }

    /**
     * @param member one of the cast (not null)
     * @return the bounds of both eyes in the member's head model space, or null for a head that is not the open head
     */
    BoundingBox eyesBox(CastMember member) {
        return member.profile().rig() != null ? null : regionBox(member.head(), "eyeL", "eyeR");
    }

    /** The bounds of spec regions in the head's model space (after its shape). */
    private BoundingBox regionBox(Spatial head, String... regions) {
        Geometry[] geometry = new Geometry[1];
        head.depthFirstTraversal(s -> {
            if (s instanceof Geometry g && g.getMesh().getVertexCount() == spec.vertexCount()) {
                geometry[0] = g;
            }
        });
        FloatBuffer pos = (FloatBuffer) geometry[0].getMesh().getBuffer(VertexBuffer.Type.Position).getData();
        Vector3f min = new Vector3f(Float.MAX_VALUE, Float.MAX_VALUE, Float.MAX_VALUE);
        Vector3f max = min.negate();
        for (String region : regions) {
            for (int v : spec.region(region)) {
                Vector3f p = new Vector3f(pos.get(3 * v), pos.get(3 * v + 1), pos.get(3 * v + 2));
                min.minLocal(p);
                max.maxLocal(p);
            }
        }
        return new BoundingBox(min, max);
    }

    /**
     * Says a line.
     *
     * @param speaker the character's index (in [0, speakers().size()))
     * @param line the line (not null)
     * @param settings style and sampling settings (not null)
     */
    public void speak(int speaker, DialogueLines.Line line, SpeechSettings settings) {
        Validate.inRange(speaker, 0, speakers.size() - 1, "speaker");
        Validate.nonNull(line, "line");
        Validate.nonNull(settings, "settings");
        CastMember s = speakers.get(speaker);
        if (s == micSpeaker) {
            stopMicrophone();
        }
        s.setStyle(settings.style());
        s.talker().setMotionSource(driver().source(s, settings));
        AudioNode node = audioNode(line);
        s.replaceAudio(node);
        feeding.remove(s);
        if (settings.streamed()) {
            // As from a TTS engine: the voice plays as it arrives and the face follows on the stream path.
            PcmClip clip = AudioFiles.read(getApplication().getAssetManager(), line.assetPath());
            SpeechStream stream = s.talker().sayStream(clip.sampleRate(), driver().options(settings));
            feeding.put(s, new StreamedLine(clip, stream));
            if (getApplication().getAudioRenderer() != null) {
                node.play();
            }
        } else {
            s.talker().say(node, driver().options(settings)); // plays the node; no audio renderer: animates only
        }
        version++;
    }

    /**
     * @param speaker the character's index (in [0, speakers().size()))
     * @return the stream the character's current line is being fed into, or null if it is not streamed
     */
    public SpeechStream streamOf(int speaker) {
        StreamedLine fed = feeding.get(speakers.get(Validate.inRange(speaker, 0, speakers.size() - 1, "speaker")));
        return fed == null ? null : fed.stream();
    }

    /**
     * Everyone talks at once, each their own line in their own style (the panel's guidance and steps).
     *
     * @param base the panel's settings; its style is replaced by each character's (not null)
     */
    public void speakAll(SpeechSettings base) {
        Validate.nonNull(base, "base");
        for (int i = 0; i < speakers.size(); i++) {
            CharacterProfile p = speakers.get(i).profile();
            speak(i, line(p.voiceLine()), base.withStyle(speakers.get(i).style()));
        }
    }

    /** Stops everyone. */
    public void silence() {
        stopMicrophone();
        feeding.clear();
        for (CastMember s : speakers) {
            s.talker().stop();
        }
        version++;
    }

    /**
     * Makes a character follow the microphone.
     *
     * @param speaker the character's index (in [0, speakers().size()))
     * @param settings style and sampling settings (not null)
     * @return null if listening started, else why not (for the panel)
     */
    public String listen(int speaker, SpeechSettings settings) {
        Validate.inRange(speaker, 0, speakers.size() - 1, "speaker");
        Validate.nonNull(settings, "settings");
        stopMicrophone();
        String problem = MicrophoneInput.problem();
        mic = problem == null ? MicrophoneInput.open() : null;
        if (mic == null) {
            return problem != null ? problem : "The microphone could not be opened";
        }
        micSpeaker = speakers.get(speaker);
        micSpeaker.setStyle(settings.style());
        micSpeaker.talker().setMotionSource(driver().source(micSpeaker, settings));
        micStream = micSpeaker.talker().sayStream(MicrophoneInput.SAMPLE_RATE, driver().options(settings));
        version++;
        return null;
    }

    /** Stops following the microphone, if it was. */
    public void stopMicrophone() {
        if (mic != null) {
            mic.close();
            mic = null;
            micSpeaker.talker().stop();
            micSpeaker = null;
            micStream = null;
            version++;
        }
    }

    /** @return true while a character follows the microphone */
    public boolean isListening() {
        return mic != null;
    }

    /**
     * @param id a line id from {@code lines.json} (not null)
     * @return the line
     * @throws IllegalArgumentException listing the ids if there is none
     */
    public DialogueLines.Line line(String id) {
        for (DialogueLines.Line l : lines) {
            if (l.id().equals(id)) {
                return l;
            }
        }
        throw new IllegalArgumentException("no dialogue line '" + id + "'; lines: "
                + lines.stream().map(DialogueLines.Line::id).toList());
    }

    private AudioNode audioNode(DialogueLines.Line line) {
        if (checkedLines.add(line.id())) {
            // Parley's loading path, once per line: a corrupt or truncated file fails naming itself,
            // not with jME's bare message.
            AudioFiles.check(getApplication().getAssetManager(), line.assetPath());
        }
        AudioNode node = new AudioNode(getApplication().getAssetManager(), line.assetPath(), AudioData.DataType.Buffer);
        node.setPositional(false);
        node.setLooping(false);
        root.attachChild(node);
        return node;
    }

    /**
     * Sets the model-driven runtime's driver, once one exists; the panel's toggle then switches to it.
     *
     * @param driver the model driver (null: none, the toggle stays on the energy jaw)
     */
    public void setModelDriver(SpeechDriver driver) {
        modelDriver = driver;
        if (driver == null) {
            setUseModel(false);
        }
        version++;
    }

    /** @return true if a model driver is set */
    public boolean hasModelDriver() {
        return modelDriver != null;
    }

    /**
     * @param model true for the model driver (ignored without one), false for the energy jaw
     */
    public void setUseModel(boolean model) {
        stopMicrophone();
        useModel = model && modelDriver != null;
        for (CastMember s : speakers) {
            s.talker().stop();
        }
        version++;
    }

    /** @return true while lines use the model driver */
    public boolean usesModel() {
        return useModel;
    }

    /** @return the driver new lines use (not null) */
    public SpeechDriver driver() {
        return useModel ? modelDriver : energyDriver;
    }

    /** @return the characters in profile order (not null, unmodifiable) */
    public List<CastMember> speakers() {
        return Collections.unmodifiableList(speakers);
    }

    /** @return the dialogue lines (not null, unmodifiable) */
    public List<DialogueLines.Line> lines() {
        return lines;
    }

    /** @return the head's spec (not null once initialized) */
    public HeadSpec spec() {
        return spec;
    }

    /** @return the selected character's index */
    public int selected() {
        return selected;
    }

    /**
     * @param index the character to select (in [0, speakers().size()))
     */
    public void select(int index) {
        selected = Validate.inRange(index, 0, speakers.size() - 1, "index");
        version++;
    }

    /** @return a number that changes whenever the selection, a driver or who talks changes */
    public long version() {
        return version;
    }

    @Override
    public void update(float tpf) {
        if (mic != null) {
            mic.poll(micStream::write);
        }
        feeding.values().removeIf(fed -> !fed.feed(tpf));
        for (int i = 0; i < speakers.size(); i++) {
            if (talking[i] != speakers.get(i).isTalking()) {
                talking[i] = !talking[i];
                version++;
            }
        }
    }

    @Override
    protected void cleanup(Application app) {
        silence();
    }

    @Override
    protected void onEnable() {
        ((SimpleApplication) getApplication()).getRootNode().attachChild(root);
    }

    @Override
    protected void onDisable() {
        root.removeFromParent();
    }
}
