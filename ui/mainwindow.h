#pragma once

#include <QMainWindow>

class QLabel;

namespace ui {

// The application window. For now it shows the engine's versions and an empty workspace;
// the workbench (tree, request tabs, response panel) arrives with the GUI issue.
class MainWindow final : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(QWidget *parent = nullptr);

private:
    QLabel *m_welcome = nullptr;
};

} // namespace ui
