package dev.parley.demo;

import com.jme3.app.Application;
import com.jme3.app.SimpleApplication;
import com.jme3.app.state.BaseAppState;
import com.jme3.math.ColorRGBA;
import com.jme3.math.Vector3f;
import com.simsilica.lemur.Button;
import com.simsilica.lemur.Checkbox;
import com.simsilica.lemur.Container;
import com.simsilica.lemur.DefaultRangedValueModel;
import com.simsilica.lemur.GuiGlobals;
import com.simsilica.lemur.Insets3f;
import com.simsilica.lemur.Label;
import com.simsilica.lemur.Selector;
import com.simsilica.lemur.Slider;
import com.simsilica.lemur.component.QuadBackgroundComponent;
import com.simsilica.lemur.component.SpringGridLayout;
import com.simsilica.lemur.core.VersionedList;
import com.simsilica.lemur.core.VersionedReference;
import com.simsilica.lemur.style.BaseStyles;
import com.simsilica.lemur.style.ElementId;
import java.util.List;

/**
 * The demo's Lemur panel: pick a character, a line and a style; guidance and step sliders; Speak,
 * Speak all and Stop; model versus energy jaw; the microphone. An overlay at the bottom shows the
 * driver's inference device, ms per window and real-time factor. Changes are polled through
 * versioned references, so the panel and {@link CastState} never call each other back.
 */
public class ParleyPanelState extends BaseAppState {

    /** Lemur's style the panel uses. */
    public static final String STYLE = "glass";
    /** The width at which the selected line's text wraps, in pixels. */
    private static final float LINE_WIDTH = 340f;

    private Container panel;
    private Container overlay;
    private Selector<CastMember> character;
    private Selector<DialogueLines.Line> line;
    private Selector<StylePreset> style;
    private Slider audioGuidance;
    private Slider styleGuidance;
    private Slider rescale;
    private Slider steps;
    private Label audioValue;
    private Label styleValue;
    private Label rescaleValue;
    private Label stepsValue;
    private Checkbox modelToggle;
    private Checkbox adapterToggle;
    private Checkbox distilledToggle;
    private Checkbox streamToggle;
    private Label micStatus;
    private Label saveStatus;
    private Label driverLine;
    private Label statsLine;
    private Label talking;
    private Label lineText;
    private VersionedReference<DialogueLines.Line> lineRef;
    private VersionedReference<CastMember> characterRef;
    private VersionedReference<Boolean> modelRef;
    private VersionedReference<Boolean> adapterRef;
    private long castVersion = -1;
    private OrbitCameraState camera;
    private CastMember framed;

    @Override
    protected void initialize(Application app) {
        if (GuiGlobals.getInstance() == null) {
            GuiGlobals.initialize(app);
        }
        BaseStyles.loadGlassStyle();
        GuiGlobals.getInstance().getStyles().setDefaultStyle(STYLE);
        CastState cast = getState(CastState.class, true);
        camera = getState(OrbitCameraState.class);

        panel = new Container(new SpringGridLayout(), STYLE);
        panel.setName("ParleyPanel");
        // Opaque: glass is translucent, and over the sunlit scene its labels were hard to read.
        panel.setBackground(new QuadBackgroundComponent(new ColorRGBA(0.05f, 0.065f, 0.085f, 1f), 6, 6));
        panel.addChild(new Label("Parley", new ElementId("title"), STYLE));
        character = selector(panel, "Character", cast.speakers());
        line = selector(panel, "Line", cast.lines());
        lineText = panel.addChild(new Label("", STYLE));
        lineText.setMaxWidth(LINE_WIDTH); // the whole line, wrapped (the selector shows its start)
        lineText.setColor(new ColorRGBA(0.93f, 0.9f, 0.8f, 1f));
        lineRef = line.createSelectedItemReference();
        lineText.setText(line.getSelectedItem().text());
        style = selector(panel, "Style", StylePreset.library(DemoAssets.folder()));
        style.setSelectedItem(StylePreset.named(cast.speakers().get(0).profile().style()));
        audioGuidance = slider("Audio guidance (model only)", 0, 5, 2.0, 0.25);
        audioValue = lastValueLabel;
        styleGuidance = slider("Style guidance (model only)", 0, 5, 1.5, 0.25);
        styleValue = lastValueLabel;
        rescale = slider("Guidance rescale (model only)", 0, 1, 0, 0.1);
        rescaleValue = lastValueLabel;
        steps = slider("Sampling steps (model only)", 1, 50, 10, 1);
        stepsValue = lastValueLabel;

        Container styleRow =
                panel.addChild(new Container(new SpringGridLayout(com.simsilica.lemur.Axis.X,
                com.simsilica.lemur.Axis.Y), STYLE));
        Button assign = styleRow.addChild(new Button("Give style", STYLE));
        assign.addClickCommands(b -> {
            cast.assignStyle(cast.selected(), style.getSelectedItem());
            saveStatus.setText(cast.speakers().get(cast.selected()).profile().name() + " now speaks "
                    + style.getSelectedItem().name());
        });
        Button save = styleRow.addChild(new Button("Save to character", STYLE));
        save.addClickCommands(b -> {
            cast.assignStyle(cast.selected(), style.getSelectedItem());
            if (!cast.canSave()) {
                saveStatus.setText("No character files to save into");
                return;
            }
            java.nio.file.Path file = cast.saveStyle(cast.selected());
            saveStatus.setText("Saved " + style.getSelectedItem().name() + " to " + file.getFileName());
        });
        saveStatus = panel.addChild(new Label("", STYLE));

        Container buttons =
                panel.addChild(new Container(new SpringGridLayout(com.simsilica.lemur.Axis.X,
                com.simsilica.lemur.Axis.Y), STYLE));
        Button speak = buttons.addChild(new Button("Speak", STYLE));
        speak.addClickCommands(b -> cast.speak(cast.selected(), line.getSelectedItem(), settings()));
        Button all = buttons.addChild(new Button("Speak all", STYLE));
        all.addClickCommands(b -> cast.speakAll(settings()));
        Button stop = buttons.addChild(new Button("Stop", STYLE));
        stop.addClickCommands(b -> cast.silence());

        modelToggle = panel.addChild(new Checkbox("Audio-driven model (off: energy jaw)", STYLE));
        modelToggle.setChecked(cast.usesModel());
        modelRef = modelToggle.getModel().createReference();
        adapterToggle = panel.addChild(new Checkbox("Adapted voice (off: style only)", STYLE));
        adapterRef = adapterToggle.getModel().createReference();
        distilledToggle = panel.addChild(new Checkbox("Distilled sampler (off: 10-step teacher)", STYLE));
        distilledToggle.setChecked(true);
        streamToggle = panel.addChild(new Checkbox("Stream the line in 20 ms chunks (as TTS)", STYLE));

        Button mic = panel.addChild(new Button("Talk into the microphone", STYLE));
        micStatus = panel.addChild(new Label("", STYLE));
        String problem = MicrophoneInput.problem();
        micStatus.setText(problem != null ? problem : "Microphone ready: the selected character follows you");
        mic.addClickCommands(b -> {
            if (cast.isListening()) {
                cast.stopMicrophone();
                micStatus.setText("Microphone off");
            } else {
                String why = cast.listen(cast.selected(), settings());
                micStatus.setText(why != null ? why : "Listening: talk, and " + cast.speakers().get(cast.selected())
                        .profile().name() + " follows");
            }
        });
        Label keys = panel.addChild(new Label("C: dialogue camera / orbit camera (drag to orbit, wheel to zoom)",
                STYLE));
        keys.setMaxWidth(LINE_WIDTH);
        keys.setColor(new ColorRGBA(0.7f, 0.76f, 0.82f, 1f));
        // Top right, so the group (framed left of centre) stays in view.
        panel.setLocalTranslation(app.getCamera().getWidth() - panel.getPreferredSize().x - 12f,
                app.getCamera().getHeight() - 12f, 0f);

        overlay = new Container(new SpringGridLayout(), STYLE);
        overlay.setName("ParleyOverlay");
        overlay.setBackground(new QuadBackgroundComponent(new ColorRGBA(0.05f, 0.065f, 0.085f, 1f), 6, 4));
        driverLine = overlay.addChild(new Label("", STYLE));
        statsLine = overlay.addChild(new Label("", STYLE));
        talking = overlay.addChild(new Label("", STYLE));
        characterRef = character.createSelectedItemReference();
        refresh(cast);
    }

    private Label lastValueLabel;

    private <T> Selector<T> selector(Container parent, String title, List<T> items) {
        parent.addChild(new Label(title, STYLE));
        VersionedList<T> model = new VersionedList<>(items);
        Selector<T> s = parent.addChild(new Selector<T>(model, new ElementId(Selector.ELEMENT_ID), STYLE));
        s.setMaximumVisibleItems(12);
        s.setSelectedItem(items.get(0));
        return s;
    }

    private Slider slider(String title, double min, double max, double value, double delta) {
        Container row =
                panel.addChild(new Container(new SpringGridLayout(com.simsilica.lemur.Axis.X,
                com.simsilica.lemur.Axis.Y), STYLE));
        row.addChild(new Label(title, STYLE));
        lastValueLabel = row.addChild(new Label("", STYLE));
        lastValueLabel.setInsets(new Insets3f(0, 8, 0, 0));
        Slider s = panel.addChild(new Slider(new DefaultRangedValueModel(min, max, value), STYLE));
        s.setDelta(delta);
        return s;
    }

    /** @return the panel's current settings (not null) */
    public SpeechSettings settings() {
        return new SpeechSettings(style.getSelectedItem(), (float) audioGuidance.getModel().getValue(),
                (float) styleGuidance.getModel().getValue(), (float) rescale.getModel().getValue(),
                (int) Math.round(steps.getModel().getValue()), distilledToggle.isChecked(), streamToggle.isChecked());
    }

    /** @return the panel's root container (not null once initialized) */
    public Container panel() {
        return panel;
    }

    /** @return the overlay's root container (not null once initialized) */
    public Container overlay() {
        return overlay;
    }

    @Override
    public void update(float tpf) {
        CastState cast = getState(CastState.class);
        if (characterRef.update()) {
            int i = cast.speakers().indexOf(character.getSelectedItem());
            if (i >= 0) {
                cast.select(i);
                style.setSelectedItem(cast.speakers().get(i).style());
            }
        }
        if (lineRef.update() && line.getSelectedItem() != null) {
            lineText.setText(line.getSelectedItem().text());
        }
        if (modelRef.update()) {
            cast.setUseModel(modelToggle.isChecked());
            if (modelToggle.isChecked() && !cast.hasModelDriver()) {
                modelToggle.setChecked(cast.usesModel());
                driverLine.setText("model pack unavailable (see the log): using the energy jaw");
            }
        }
        if (adapterRef.update()) {
            if (cast.hasAdapter(cast.selected())) {
                cast.setAdapted(cast.selected(), adapterToggle.isChecked());
            } else if (adapterToggle.isChecked()) {
                adapterToggle.setChecked(false);
            }
        }
        if (cast.version() != castVersion) {
            refresh(cast);
        }
        audioValue.setText(String.format("%.2f", audioGuidance.getModel().getValue()));
        styleValue.setText(String.format("%.2f", styleGuidance.getModel().getValue()));
        rescaleValue.setText(String.format("%.1f", rescale.getModel().getValue()));
        stepsValue.setText(String.valueOf(Math.round(steps.getModel().getValue())));
        statsLine.setText(cast.driver().stats().describe());
        float h = overlay.getPreferredSize().y;
        overlay.setLocalTranslation(12f, h + 12f, 0f);
    }

    private void refresh(CastState cast) {
        castVersion = cast.version();
        CastMember selected = cast.speakers().get(cast.selected());
        if (character.getSelectedItem() != selected) {
            character.setSelectedItem(selected);
        }
        driverLine.setText("driver: " + cast.driver().label()
                + (cast.hasModelDriver() ? "" : "   (model pack unavailable)"));
        if (modelToggle.isChecked() != cast.usesModel()) {
            modelToggle.setChecked(cast.usesModel());
        }
        boolean adapted = cast.isAdapted(cast.selected());
        adapterToggle.setText(cast.hasAdapter(cast.selected()) ? "Adapted voice (off: style only)"
                : "Adapted voice: " + selected.profile().name() + " has no adapter");
        if (adapterToggle.isChecked() != adapted) {
            adapterToggle.setChecked(adapted);
            adapterRef.update();
        }
        StringBuilder who = new StringBuilder();
        for (CastMember s : cast.speakers()) {
            if (s.isTalking()) {
                who.append(who.length() == 0 ? "talking: " : ", ").append(s.profile().name());
            }
        }
        talking.setText(who.length() == 0 ? "everyone is listening" : who.toString());
        if (camera != null && selected != framed) {
            framed = selected;
            Vector3f mouth = selected.mouthCenter(new Vector3f());
            camera.frame(mouth.addLocal(0f, 0.04f, 0f), selected.profile().facing(), 1.25f);
            DialogueCameraState dialogue = getState(DialogueCameraState.class);
            if (dialogue != null && cast.speakers().size() > 1) {
                dialogue.frame(selected, DialogueCameraState.listenerFor(cast.speakers(), selected));
            }
        }
    }

    @Override
    protected void cleanup(Application app) {
    }

    @Override
    protected void onEnable() {
        ((SimpleApplication) getApplication()).getGuiNode().attachChild(panel);
        ((SimpleApplication) getApplication()).getGuiNode().attachChild(overlay);
    }

    @Override
    protected void onDisable() {
        panel.removeFromParent();
        overlay.removeFromParent();
    }
}
