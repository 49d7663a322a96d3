// The dynamic loss scaler of mixed-precision training (train/GradScaler.h), on the CPU with
// injected infinities: unscaling divides every gradient by the scale, a step with an infinite or
// NaN gradient is reported so it is skipped and the scale backs off, finite steps grow it after
// the interval, and a real model trained through it (scaled backward, unscale, step) follows the
// same weights as one trained without it.
#include "train/GradScaler.h"

#include <QtTest>
#include <limits>

using namespace lumen;

class TestGradScaler : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void unscalingDividesEveryGradient() {
    GradScaler scaler({1024.0, 2.0, 0.5, 3});
    auto a = torch::ones({3}).requires_grad_();
    auto b = torch::ones({2, 2}).requires_grad_();
    auto unused = torch::ones({1}).requires_grad_(); // no gradient: skipped
    (scaler.scaled((a * 2).sum() + (b * 3).sum())).backward();
    QVERIFY(torch::allclose(a.grad(), torch::full({3}, 2048.0f)));
    QVERIFY(scaler.unscale({a, b, unused}));
    QVERIFY(torch::allclose(a.grad(), torch::full({3}, 2.0f)));
    QVERIFY(torch::allclose(b.grad(), torch::full({2, 2}, 3.0f)));
    QVERIFY(!unused.grad().defined());
  }

  void aNonFiniteGradientSkipsTheStepAndShrinksTheScale() {
    GradScaler scaler({65536.0, 2.0, 0.5, 2});
    for (const float bad :
         {std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity(),
          std::numeric_limits<float>::quiet_NaN()}) {
      auto p = torch::ones({4}).requires_grad_();
      auto q = torch::ones({4}).requires_grad_();
      (p.sum() + q.sum()).backward();
      p.mutable_grad()[2] = bad; // an overflow in one element of one tensor
      const double before = scaler.scale();
      const bool finite = scaler.unscale({p, q});
      QVERIFY(!finite);
      scaler.update(finite);
      QCOMPARE(scaler.scale(), before * 0.5);
      QCOMPARE(scaler.growthTracker(), int64_t(0));
    }
    QCOMPARE(scaler.scale(), 8192.0);
  }

  void finiteStepsGrowTheScaleAfterTheInterval() {
    GradScaler scaler({8.0, 2.0, 0.5, 3});
    for (int step = 1; step <= 7; ++step)
      scaler.update(true);
    QCOMPARE(scaler.scale(), 32.0); // grew after steps 3 and 6
    QCOMPARE(scaler.growthTracker(), int64_t(1));
    scaler.update(false);
    QCOMPARE(scaler.scale(), 16.0);
    QCOMPARE(scaler.growthTracker(), int64_t(0));
    GradScaler restored;
    restored.restore(16.0, 2);
    QCOMPARE(restored.scale(), 16.0);
    QCOMPARE(restored.growthTracker(), int64_t(2));
    restored.restore(-1.0, 0); // a corrupt value keeps what it had
    QCOMPARE(restored.scale(), 16.0);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, GradScaler({1.0, 0.5, 0.5, 1}));
  }

  void trainingThroughTheScalerMatchesTrainingWithout() {
    torch::manual_seed(3);
    torch::nn::Linear plain(8, 1), scaledNet(8, 1);
    {
      torch::NoGradGuard noGrad;
      for (size_t i = 0; i < plain->parameters().size(); ++i)
        scaledNet->parameters()[i].copy_(plain->parameters()[i]);
    }
    torch::optim::SGD a(plain->parameters(), 0.1), b(scaledNet->parameters(), 0.1);
    GradScaler scaler({4096.0, 2.0, 0.5, 1000});
    const auto x = torch::randn({32, 8}), y = torch::randn({32, 1});
    int skipped = 0;
    for (int step = 0; step < 20; ++step) {
      a.zero_grad();
      torch::mse_loss(plain(x), y).backward();
      a.step();
      b.zero_grad();
      scaler.scaled(torch::mse_loss(scaledNet(x), y)).backward();
      if (step == 5) // an overflow: this step must not reach the weights
        scaledNet->weight.mutable_grad()[0][0] = std::numeric_limits<float>::infinity();
      const bool finite = scaler.unscale(scaledNet->parameters());
      scaler.update(finite);
      if (finite)
        b.step();
      else
        ++skipped;
      if (step == 5) // keep the reference in step: it skips the same update
        for (auto& p : plain->parameters()) {
          torch::NoGradGuard noGrad;
          p.add_(p.grad() * 0.1); // undo its step 5
        }
    }
    QCOMPARE(skipped, 1);
    QCOMPARE(scaler.scale(), 2048.0);
    for (size_t i = 0; i < plain->parameters().size(); ++i)
      QVERIFY(torch::allclose(plain->parameters()[i], scaledNet->parameters()[i], 1e-5, 1e-6));
  }
};

QTEST_GUILESS_MAIN(TestGradScaler)
#include "TestGradScaler.moc"
