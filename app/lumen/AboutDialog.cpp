#include "AboutDialog.h"

#include "common/Version.h"

#include <QDialogButtonBox>
#include <QIcon>
#include <QLabel>
#include <QVBoxLayout>

namespace lumen {

QStringList AboutDialog::componentVersions() {
  QStringList versions;
  for (const auto& [component, version] : engineVersions()) {
    // The window runs on the Qt it loaded, which may be a newer patch release than the one the
    // build was configured against.
    const QString shown =
        component == "Qt" ? QString::fromLatin1(qVersion()) : QString::fromStdString(version);
    versions << QStringLiteral("%1 %2").arg(QString::fromStdString(component), shown);
  }
  return versions;
}

AboutDialog::AboutDialog(QWidget* parent) : QDialog(parent) {
  setWindowTitle(tr("About Lumen"));
  auto* icon = new QLabel(this);
  icon->setPixmap(QIcon(QStringLiteral(":/lumen/lumen.svg")).pixmap(96, 96));
  auto* text = new QLabel(this);
  text->setTextFormat(Qt::RichText);
  text->setText(tr("<h2>Lumen %1</h2>"
                   "<p>A workbench for volumetric deep learning in cardiac imaging and event "
                   "vision: prepare datasets, train models, watch training live and inspect "
                   "results in 3D.</p><p><b>Built with</b><br>%2</p>")
                    .arg(QString::fromStdString(lumenVersion()),
                         componentVersions().join(QStringLiteral("<br>"))));
  text->setWordWrap(true);
  text->setTextInteractionFlags(Qt::TextSelectableByMouse);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok, this);
  connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(icon, 0, Qt::AlignHCenter);
  layout->addWidget(text);
  layout->addWidget(buttons);
  setMinimumWidth(420);
}

} // namespace lumen
