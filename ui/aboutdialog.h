// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDialog>

class QTabWidget;

namespace ui {

// Help → About Wirescope: the version and the versions of Qt, gRPC and protobuf it runs with; the
// licence (GPL-3.0-or-later) with its full text on a tab of its own; and every third-party
// library the program is built on, with its version where the library says and its licence.
class AboutDialog final : public QDialog
{
    Q_OBJECT

public:
    explicit AboutDialog(QWidget *parent = nullptr);

    // Shows the tab with the full text of the GPL (the "Read the licence" link does this).
    void showLicence();

private:
    QTabWidget *m_tabs = nullptr;
};

} // namespace ui
